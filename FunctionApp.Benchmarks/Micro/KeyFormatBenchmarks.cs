using BenchmarkDotNet.Attributes;
using FunctionsApiKey;
using FunctionsApiKey.KeyRing;

namespace FunctionApp.Benchmarks.Micro;

/// <summary>
/// What checking an issued key's checksum costs against what it saves: a value with a wrong checksum is refused by
/// the form check alone, before the hash every other value pays (the baseline, in the same run).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class KeyFormatBenchmarks
{
    private string _issued = null!;
    private string _badChecksum = null!;

    [GlobalSetup]
    public void Setup()
    {
        _issued = ApiKeyFormat.Generate();
        var last = _issued[^1];
        _badChecksum = _issued[..^1] + (last == '0' ? '1' : '0');
    }

    /// <summary>The SHA-256 of the same issued key: what every well-formed value costs before its lookup.</summary>
    [Benchmark(Baseline = true)]
    public byte HashIssuedKey() => ApiKeyHash.Compute(_issued)[0];

    /// <summary>The gate's form check of a value with the prefix and a wrong checksum: refused, nothing hashed.</summary>
    [Benchmark]
    public int RejectBadChecksum() => (int)PresentedKey.Check(_badChecksum, 1, ApiKeyFormat.DefaultPrefix);

    /// <summary>The same check of a valid issued key, which then goes on to the hash.</summary>
    [Benchmark]
    public int CheckValidChecksum() => (int)PresentedKey.Check(_issued, 1, ApiKeyFormat.DefaultPrefix);
}
