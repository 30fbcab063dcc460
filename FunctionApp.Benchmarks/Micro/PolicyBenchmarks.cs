using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using BenchmarkDotNet.Attributes;
using FunctionsApiKey;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.Policies;
using FunctionsApiKey.Redis;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionApp.Benchmarks.Micro;

/// <summary>
/// What a key's policies add to an admitted request: today's check of a key without policies (the baseline), then the
/// same check of a key with a rate limit, with a rate limit and a quota, with a rate limit shared through Redis (from
/// budget already held), and with networks, whose caller's address is read
/// from an <c>X-Forwarded-For</c> value as the built-in model reads it. Each call is a tick later than the last, as time
/// passes between requests, and every limit is wide enough that every request is admitted.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class PolicyBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private KeyRingSnapshot _plain = null!;
    private KeyRingSnapshot _rate = null!;
    private KeyRingSnapshot _rateAndQuota = null!;
    private KeyRingSnapshot _ips = null!;
    private KeyRingSnapshot _shared = null!;
    private string _presented = null!;
    private long _ticks;

    [GlobalSetup]
    public void Setup()
    {
        var values = Enumerable.Range(0, 1_000).Select(_ => KeyCheckBenchmarks.NewKey()).ToList();
        _presented = new string(values[500].AsSpan());
        _plain = Ring(values, []);
        _rate = Ring(values, [("RateLimit", "1000000000/s")]);
        _rateAndQuota = Ring(values, [("RateLimit", "1000000000/s"), ("Quota", "1000000000/month")]);
        _ips = Ring(values, [("Ips", "198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32")]);

        // A rate limit shared through Redis, admitted from budget the instance already holds: the refiller never runs
        // here, so the store is never asked, and the budget held is more than any run takes.
        var shared = new SharedRateLimits(new RedisBudgetStore(new RedisRateLimitOptions { ConnectionString = "127.0.0.1:6379" }, null, TimeProvider.System)) { StoreAnswers = true };
        _shared = Ring(values, [("RateLimit", "1000000000/s")], shared);
        foreach (var (_, budget) in shared.Budgets)
        {
            for (var i = 0; i < 4; i++)
            {
                budget.Add(new RateLimitGrant(int.MaxValue, Now));
            }
        }
    }

    [Benchmark(Baseline = true)]
    public int TodaysCheck() => (int)ApiKeyValidator.Decide(_presented, _plain, "SecureEndpoint", Next()).Outcome;

    [Benchmark]
    public int WithRateLimit() => (int)ApiKeyValidator.Decide(_presented, _rate, "SecureEndpoint", Next()).Outcome;

    [Benchmark]
    public int WithRateLimitAndQuota() => (int)ApiKeyValidator.Decide(_presented, _rateAndQuota, "SecureEndpoint", Next()).Outcome;

    [Benchmark]
    public int WithSharedRateLimitFromHeldBudget() => (int)ApiKeyValidator.Decide(_presented, _shared, "SecureEndpoint", Next()).Outcome;

    [Benchmark]
    public int WithNetworks()
    {
        var client = new ForwardedAddress("203.0.113.7:50312");
        return (int)ApiKeyValidator.Decide(_presented, _ips, "SecureEndpoint", Next(), ref client).Outcome;
    }

    private DateTimeOffset Next() => Now.AddTicks(++_ticks);

    private static KeyRingSnapshot Ring(List<string> values, (string Property, string Text)[] policy, SharedRateLimits? shared = null)
    {
        var properties = ImmutableDictionary.CreateRange(policy.Select(p => KeyValuePair.Create(p.Property, p.Text)));
        var keys = values.Select((value, i) => ApiKey.FromValue($"key-{i}", value) with { Properties = properties });
        return KeyRingSnapshot.Create(keys, "benchmark", Now, null, new PolicyBook(NullLoggerFactory.Instance, shared), out _);
    }

    /// <summary>The caller as the built-in model gives it: the last entry of X-Forwarded-For, parsed on each request.</summary>
    private readonly struct ForwardedAddress(string header) : IClientAddress
    {
        public bool TryGet([NotNullWhen(true)] out IPAddress? address) => ForwardedFor.TryPick(header, 1, out address);
    }
}
