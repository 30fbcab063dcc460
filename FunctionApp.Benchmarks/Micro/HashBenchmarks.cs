using FunctionsApiKey;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;

namespace FunctionApp.Benchmarks.Micro;

/// <summary>
/// What the key ring's hash and compare cost against the platform's SHA-256 of the same 43-character key: the hash is
/// <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/> after encoding the key to the stack, and the compare
/// <see cref="CryptographicOperations.FixedTimeEquals"/>.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class HashBenchmarks
{
    private readonly string _key = KeyCheckBenchmarks.NewKey();
    private readonly byte[] _digest = new byte[32];
    private byte[] _ascii = null!;
    private ApiKeyHash _hash;
    private ApiKeyHash _other;

    [GlobalSetup]
    public void Setup()
    {
        _ascii = Encoding.ASCII.GetBytes(_key);
        _hash = ApiKeyHash.Compute(_key);
        _other = ApiKeyHash.Compute(KeyCheckBenchmarks.NewKey());
    }

    /// <summary>The platform call alone, on bytes already encoded: the floor for any hash of this key.</summary>
    [Benchmark(Baseline = true)]
    public int PlatformSha256OnBytes() => SHA256.HashData(_ascii, _digest);

    /// <summary>The key ring's hash of a presented key: encode to the stack, the platform call, wipe the copy.</summary>
    [Benchmark]
    public byte KeyRingHash() => ApiKeyHash.Compute(_key)[0];

    /// <summary>One candidate compared, as a lookup does for each key in the presented key's bucket.</summary>
    [Benchmark]
    public bool KeyRingCompare() => _hash.FixedTimeEquals(_other);
}
