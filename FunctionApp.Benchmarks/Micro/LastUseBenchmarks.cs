using BenchmarkDotNet.Attributes;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.Usage;
using FunctionsApiKey;

namespace FunctionApp.Benchmarks.Micro;

/// <summary>
/// What noting last use adds to an allowed request: the same decision on a ring without last use (the baseline) and
/// on one whose keys have last-use cells, in the same minute as the previous request (the common case) and in a new
/// minute (once per key per minute); and with request counts as well (last use and usage, as <c>AddLastUseTable</c>
/// registers them), in the same hour: one Interlocked increment, no lock.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class LastUseBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private KeyRingSnapshot _plain = null!;
    private KeyRingSnapshot _recorded = null!;
    private KeyRingSnapshot _counted = null!;
    private string _presented = null!;
    private long _minute;

    [GlobalSetup]
    public void Setup()
    {
        var values = Enumerable.Range(0, 1_000).Select(_ => KeyCheckBenchmarks.NewKey()).ToList();
        var keys = values.Select((value, i) => ApiKey.FromValue($"key-{i}", value)).ToList();
        _plain = KeyRingSnapshot.Create(keys, "benchmark", Now, out _);
        _recorded = KeyRingSnapshot.Create(keys, "benchmark", Now, new LastUseRecorder(), out _);
        _counted = KeyRingSnapshot.Create(keys, "benchmark", Now, new LastUseRecorder(), new UsageRecorder(), policies: null, out _);
        _presented = new string(values[500].AsSpan());
    }

    [Benchmark(Baseline = true)]
    public int AllowedWithoutLastUse() => (int)ApiKeyValidator.Decide(_presented, _plain, "SecureEndpoint", Now).Outcome;

    [Benchmark]
    public int AllowedSameMinute() => (int)ApiKeyValidator.Decide(_presented, _recorded, "SecureEndpoint", Now).Outcome;

    /// <summary>Every call in a later minute than the last: the cell's compare-and-swap each time (the rare case).</summary>
    [Benchmark]
    public int AllowedNewMinute() => (int)ApiKeyValidator.Decide(_presented, _recorded, "SecureEndpoint", Now.AddMinutes(++_minute)).Outcome;

    [Benchmark]
    public int AllowedAndCountedSameHour() => (int)ApiKeyValidator.Decide(_presented, _counted, "SecureEndpoint", Now).Outcome;
}
