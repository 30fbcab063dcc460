using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using FunctionsApiKey.KeyRing;

namespace FunctionApp.Benchmarks.Micro;

/// <summary>What the managed SHA-256 bought: the same 43-character key through the platform and through ours.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class HashBenchmarks
{
    private readonly string _key = KeyCheckBenchmarks.NewKey();
    private readonly byte[] _digest = new byte[32];
    private byte[] _ascii = null!;

    [GlobalSetup]
    public void Setup() => _ascii = Encoding.ASCII.GetBytes(_key);

    /// <summary>What the key ring used before: encode to a stack buffer, then one platform call (OpenSSL on Linux).</summary>
    [Benchmark(Baseline = true)]
    public int PlatformSha256()
    {
        Span<byte> ascii = stackalloc byte[_key.Length];
        Encoding.ASCII.GetBytes(_key, ascii);
        return SHA256.HashData(ascii, _digest);
    }

    [Benchmark]
    public int ManagedSha256()
    {
        Sha256.HashAscii(_key, _digest);
        return _digest[0];
    }

    /// <summary>The platform call alone, on bytes already encoded.</summary>
    [Benchmark]
    public int PlatformSha256OnBytes() => SHA256.HashData(_ascii, _digest);
}
