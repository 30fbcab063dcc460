using System.Collections.Immutable;
using Azure.Data.Tables;
using FunctionApp.Testing;
using FunctionApp.Tests.TestDoubles;
using FunctionsApiKey;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.LastUse;
using FunctionsApiKey.Policies;
using Microsoft.Extensions.Logging.Testing;

namespace FunctionApp.Tests.Policies;

/// <summary>
/// Rate limits, quotas and owners as the key ring compiles and counts them: a burst, then one request per interval;
/// a quota until the UTC period ends; an owner's keys drawing from one pool at the narrowest declared limit; and counts
/// that survive a refresh.
/// </summary>
public sealed class PolicyBookTests : IDisposable
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeLogCollector _logs = new();
    private readonly Microsoft.Extensions.Logging.ILoggerFactory _loggerFactory;
    private readonly PolicyBook _book;

    public PolicyBookTests()
    {
        _loggerFactory = TestLogging.Factory(_logs);
        _book = new PolicyBook(_loggerFactory);
    }

    [Fact]
    public void ARateLimitAdmitsItsBurstThenOneRequestPerInterval()
    {
        var (ring, value) = Ring(Key("partner", ("RateLimit", "2/s burst 3")));

        Assert.All(Enumerable.Range(0, 3), _ => Assert.Equal(ApiKeyOutcome.Allowed, Decide(ring, value, Noon).Outcome));
        var refused = Decide(ring, value, Noon);
        Assert.Equal(ApiKeyOutcome.RateLimited, refused.Outcome);
        Assert.Equal(("rate", 2L, 1L, 3L, 1L), (refused.Verdict.PolicyName, refused.Verdict.Quota, refused.Verdict.WindowSeconds, refused.Verdict.Burst, refused.Verdict.RetryAfterSeconds));

        // Half a second later one more request's worth has come back, and only one.
        Assert.Equal(ApiKeyOutcome.Allowed, Decide(ring, value, Noon.AddMilliseconds(500)).Outcome);
        Assert.Equal(ApiKeyOutcome.RateLimited, Decide(ring, value, Noon.AddMilliseconds(500)).Outcome);
    }

    [Fact]
    public void ARateLimitSaysHowLongUntilTheNextRequest()
    {
        var (ring, value) = Ring(Key("partner", ("RateLimit", "1/min")));

        Assert.Equal(ApiKeyOutcome.Allowed, Decide(ring, value, Noon).Outcome);
        var refused = Decide(ring, value, Noon.AddSeconds(20));

        Assert.Equal(ApiKeyOutcome.RateLimited, refused.Outcome);
        Assert.Equal(40, refused.Verdict.RetryAfterSeconds);
        Assert.Equal(0, refused.Verdict.Burst);
    }

    [Fact]
    public void AQuotaRefusesUntilTheUtcDayEnds()
    {
        var (ring, value) = Ring(Key("partner", ("Quota", "2/day")));
        var evening = new DateTimeOffset(2026, 11, 27, 22, 0, 0, TimeSpan.Zero);

        Assert.Equal(ApiKeyOutcome.Allowed, Decide(ring, value, evening).Outcome);
        Assert.Equal(ApiKeyOutcome.Allowed, Decide(ring, value, evening).Outcome);
        var refused = Decide(ring, value, evening);
        Assert.Equal(ApiKeyOutcome.QuotaExceeded, refused.Outcome);
        Assert.Equal(("quota", 2L, 86_400L, 7_200L), (refused.Verdict.PolicyName, refused.Verdict.Quota, refused.Verdict.WindowSeconds, refused.Verdict.RetryAfterSeconds));

        Assert.Equal(ApiKeyOutcome.Allowed, Decide(ring, value, evening.AddHours(2)).Outcome);
    }

    [Fact]
    public void ARequestTheQuotaRefusesUsesUpNoRate()
    {
        var (ring, value) = Ring(Key("partner", ("Quota", "1/month"), ("RateLimit", "2/min")));

        Assert.Equal(ApiKeyOutcome.Allowed, Decide(ring, value, Noon).Outcome);
        Assert.Equal(ApiKeyOutcome.QuotaExceeded, Decide(ring, value, Noon).Outcome);
        Assert.Equal(ApiKeyOutcome.QuotaExceeded, Decide(ring, value, Noon).Outcome);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), Noon.AddSeconds(Decide(ring, value, Noon).Verdict.RetryAfterSeconds));
    }

    [Fact]
    public void KeysOfOneOwnerShareTheNarrowestLimitAndItIsReported()
    {
        var a = Key("a", ("Owner", "Acme"), ("RateLimit", "3/min"));
        var b = Key("b", ("Owner", "acme"), ("RateLimit", "100/s burst 2"));
        var c = Key("c", ("Owner", "ACME"));
        var (ring, values) = Ring([a, b, c]);

        // Narrowest part by part: 3 a minute, and a burst of 2, drawn by every key of the owner, even one without a limit.
        Assert.Equal(ApiKeyOutcome.Allowed, Decide(ring, values[0], Noon).Outcome);
        Assert.Equal(ApiKeyOutcome.Allowed, Decide(ring, values[2], Noon).Outcome);
        var refused = Decide(ring, values[1], Noon);
        Assert.Equal(ApiKeyOutcome.RateLimited, refused.Outcome);
        Assert.Equal((3L, 60L, 2L), (refused.Verdict.Quota, refused.Verdict.WindowSeconds, refused.Verdict.Burst));

        var warning = Assert.Single(_logs.GetSnapshot(), r => r.Id.Name == "OwnerLimitsDiffer");
        Assert.Equal("API keys a, b of owner acme declare different RateLimit values; the owner's keys share the narrowest, 3/min burst 2. Give them one value", warning.Message);
    }

    [Fact]
    public void AnOwnersKeysShareOneQuotaCount()
    {
        var (ring, values) = Ring([Key("a", ("Owner", "acme"), ("Quota", "2/day")), Key("b", ("Owner", "acme"), ("Quota", "5/day"))]);

        Assert.Equal(ApiKeyOutcome.Allowed, Decide(ring, values[0], Noon).Outcome);
        Assert.Equal(ApiKeyOutcome.Allowed, Decide(ring, values[1], Noon).Outcome);
        Assert.Equal(ApiKeyOutcome.QuotaExceeded, Decide(ring, values[1], Noon).Outcome);
        Assert.Contains(_logs.GetSnapshot(), r => r.Id.Name == "OwnerLimitsDiffer" && r.Message.Contains("declare different Quota values; the owner's keys share the narrowest, 2/day", StringComparison.Ordinal));
    }

    [Fact]
    public void CountsSurviveARefreshWithTheSameLimits()
    {
        var key = Key("partner", ("RateLimit", "1/min"));
        var (ring, value) = Ring(key);
        Assert.Equal(ApiKeyOutcome.Allowed, Decide(ring, value, Noon).Outcome);

        var (refreshed, _) = Ring(key with { });

        Assert.Equal(ApiKeyOutcome.RateLimited, Decide(refreshed, value, Noon.AddSeconds(1)).Outcome);
    }

    [Fact]
    public void AChangedLimitKeepsWhatWasAlreadyUsed()
    {
        var (ring, value) = Ring(Key("partner", ("Quota", "3/day")));
        Assert.All(Enumerable.Range(0, 3), _ => Assert.Equal(ApiKeyOutcome.Allowed, Decide(ring, value, Noon).Outcome));

        var (refreshed, _) = Ring(Key("partner", ("Quota", "4/day")), value);

        Assert.Equal(ApiKeyOutcome.Allowed, Decide(refreshed, value, Noon).Outcome);
        Assert.Equal(ApiKeyOutcome.QuotaExceeded, Decide(refreshed, value, Noon).Outcome);
    }

    [Fact]
    public void AKeyWhosePolicyTextDoesNotReadIsLeftOutAndNamed()
    {
        var bad = ApiKey.FromValue("custom", TestKeys.NewValue()) with { Properties = ImmutableDictionary<string, string>.Empty.Add("RateLimit", "fast") };

        var ring = KeyRingSnapshot.Create([bad], "custom-store", Noon, null, _book, out _);

        Assert.Equal(0, ring.Count);
        var warning = Assert.Single(_logs.GetSnapshot(), r => r.Id.Name == "PolicyNotReadable");
        Assert.StartsWith("API key custom from custom-store is left out: its RateLimit does not start with a count of requests", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LimitsCountedPerInstanceAreWarnedOfOnce()
    {
        Ring(Key("a", ("RateLimit", "1/s")));
        Ring(Key("a", ("RateLimit", "1/s")));

        Assert.Single(_logs.GetSnapshot(), r => r.Id.Name == "LimitsPerInstance");
    }

    [Fact]
    public void TheWarningCountsRateLimitsAndQuotasApartAndLeavesOutQuotasAUsageStoreShares()
    {
        Ring([Key("a", ("RateLimit", "1/s"), ("Quota", "5/day")), Key("b", ("Quota", "9/day"))]);
        var alone = Assert.Single(_logs.GetSnapshot(), r => r.Id.Name == "LimitsPerInstance");
        Assert.StartsWith("1 rate limits and 2 quotas of keys or owners are counted on each instance", alone.Message, StringComparison.Ordinal);

        // A usage store shares quotas through its counts (the table is never reached here: the book only learns it exists).
        var logs = new FakeLogCollector();
        using var factory = TestLogging.Factory(logs);
        var book = new PolicyBook(factory, usage: new UsageTable(new TableClient(new Uri("https://127.0.0.1:1/devstoreaccount1/apikeyusage"))));
        KeyRingSnapshot.Create([Key("a", ("RateLimit", "1/s"), ("Quota", "5/day")).Key, Key("b", ("Quota", "9/day")).Key], "settings", Noon, null, book, out _);
        var shared = Assert.Single(logs.GetSnapshot(), r => r.Id.Name == "LimitsPerInstance");
        Assert.StartsWith("1 rate limits and 0 quotas of keys or owners", shared.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AKeyWithNetworksIsRefusedFromAnUnknownAddress()
    {
        var (ring, value) = Ring(Key("partner", ("Ips", "203.0.113.0/24")));

        Assert.Equal(ApiKeyOutcome.AddressDenied, Decide(ring, value, Noon).Outcome);
    }

    public void Dispose() => _loggerFactory.Dispose();

    private static ApiKeyDecision Decide(KeyRingSnapshot ring, string value, DateTimeOffset now) => ApiKeyValidator.Decide(value, ring, "SecureEndpoint", now);

    private static (ApiKey Key, string Value) Key(string name, params (string Property, string Text)[] properties)
    {
        var value = TestKeys.NewValue();
        return (PolicyKeys.Create(name, value, properties), value);
    }

    private (KeyRingSnapshot Ring, string Value) Ring((ApiKey Key, string Value) key, string? value = null)
    {
        var k = value is null ? key.Key : ApiKey.FromValue(key.Key.Name, value) with { Properties = key.Key.Properties };
        return (KeyRingSnapshot.Create([k], "test", Noon, null, _book, out _), value ?? key.Value);
    }

    private (KeyRingSnapshot Ring, string[] Values) Ring((ApiKey Key, string Value)[] keys) =>
        (KeyRingSnapshot.Create(keys.Select(k => k.Key), "test", Noon, null, _book, out _), [.. keys.Select(k => k.Value)]);
}
