using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using FunctionsApiKey;
using FunctionsApiKey.KeyRing;

namespace FunctionApp.Benchmarks.Micro;

/// <summary>
/// Deciding on one header value: our key ring against the tutorial's approach (a plaintext list and
/// <c>Contains</c>), at 1, 1,000 and 100,000 keys, for a hit, a miss, an expired key and a malformed value.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class KeyCheckBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private List<string> _plaintextKeys = null!;
    private KeyRingSnapshot _ring = null!;
    private string _presented = null!;

    [Params(1, 1_000, 100_000)]
    public int Keys { get; set; }

    [Params("hit", "miss", "expired", "malformed")]
    public string Case { get; set; } = "hit";

    [GlobalSetup]
    public void Setup()
    {
        _plaintextKeys = [.. Enumerable.Range(0, Keys).Select(_ => NewKey())];

        // The presented key sits in the middle of the tutorial's list, where a hit costs an average search.
        var middle = Keys / 2;
        _ring = KeyRingSnapshot.Create(
            _plaintextKeys.Select((value, i) => ApiKey.FromValue($"key-{i}", value) with { ExpiresOn = Case == "expired" && i == middle ? Now.AddDays(-1) : null }),
            "benchmark",
            Now,
            out _);

        // A header value is a fresh string, never the instance in the list (which string equality would short-cut).
        _presented = Case switch
        {
            "hit" or "expired" => new string(_plaintextKeys[middle].AsSpan()),
            "miss" => NewKey(),
            _ => "not a key: " + NewKey(),
        };
    }

    /// <summary>The tutorial: <c>if api_key in API_KEYS</c>, i.e. a linear, early-exit string comparison.</summary>
    [Benchmark(Baseline = true)]
    public bool TutorialListContains() => _plaintextKeys.Contains(_presented);

    /// <summary>Ours: the same checks the middleware makes (form, hash, lookup, lifecycle, scope). Returns the outcome's number.</summary>
    [Benchmark]
    public int KeyRing()
    {
        var form = PresentedKey.Check(_presented, 1, ApiKeyFormat.DefaultPrefix);
        return (int)(form == ApiKeyOutcome.Allowed ? ApiKeyValidator.Decide(_presented, _ring, "SecureEndpoint", Now).Outcome : form);
    }

    internal static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(27)).Replace('+', '-').Replace('/', '_');
}
