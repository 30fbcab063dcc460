using FunctionApp.Testing;
using FunctionsApiKey;
using FunctionsApiKey.KeyRing;
using Microsoft.Extensions.Time.Testing;

namespace FunctionApp.Tests.KeyRing;

public sealed class ApiKeyValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Now);
    private readonly string _valid = TestKeys.NewValue();
    private readonly string _scoped = TestKeys.NewValue();
    private readonly string _expiring = TestKeys.NewValue();
    private readonly string _future = TestKeys.NewValue();
    private readonly string _revoked = TestKeys.NewValue();
    private readonly KeyRingSnapshot _ring;

    public ApiKeyValidatorTests()
    {
        _ring = KeyRingSnapshot.Create(
        [
            TestKeys.Create("valid", _valid),
            TestKeys.Create("scoped", _scoped, scopes: ["reports", "SecureEndpoint"]),
            TestKeys.Create("expiring", _expiring, expiresOn: Now.AddMinutes(10)),
            TestKeys.Create("future", _future, notBefore: Now.AddMinutes(10)),
            TestKeys.Create("revoked", _revoked, revoked: true),
        ], "test", Now, out _);
    }

    [Fact]
    public void AcceptsAValidKeyForAnyFunctionWhenTheKeyHasNoScopes()
    {
        var decision = Decide(_valid, "AnyFunction");

        Assert.Equal(ApiKeyOutcome.Allowed, decision.Outcome);
        Assert.Equal("valid", decision.Key?.Name);
    }

    [Fact]
    public void RefusesAnUnknownKey() => Assert.Equal(new ApiKeyDecision(ApiKeyOutcome.Unknown), Decide(TestKeys.NewValue(), "SecureEndpoint"));

    [Fact]
    public void ComparesValuesExactlyIncludingLetterCase()
    {
        var swapped = new string(_valid.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)).ToArray());

        Assert.Equal(ApiKeyOutcome.Unknown, Decide(swapped, "SecureEndpoint").Outcome);
        Assert.Equal(ApiKeyOutcome.Unknown, Decide(_valid[..^1], "SecureEndpoint").Outcome);
        Assert.Equal(ApiKeyOutcome.Unknown, Decide(_valid + "x", "SecureEndpoint").Outcome);
    }

    [Fact]
    public void RefusesARevokedKeyAndNamesIt()
    {
        var decision = Decide(_revoked, "SecureEndpoint");

        Assert.Equal(ApiKeyOutcome.Revoked, decision.Outcome);
        Assert.Equal("revoked", decision.Key?.Name);
    }

    [Fact]
    public void ExpiryIsCheckedAtRequestTimeNotAtLoad()
    {
        Assert.Equal(ApiKeyOutcome.Allowed, Decide(_expiring, "SecureEndpoint").Outcome);

        _clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromTicks(1));
        Assert.Equal(ApiKeyOutcome.Allowed, Decide(_expiring, "SecureEndpoint").Outcome);

        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(ApiKeyOutcome.Expired, Decide(_expiring, "SecureEndpoint").Outcome);
    }

    [Fact]
    public void NotBeforeIsCheckedAtRequestTime()
    {
        Assert.Equal(ApiKeyOutcome.NotYetValid, Decide(_future, "SecureEndpoint").Outcome);

        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(ApiKeyOutcome.Allowed, Decide(_future, "SecureEndpoint").Outcome);
    }

    [Fact]
    public void AScopedKeyMayCallOnlyFunctionsWhoseScopeItLists()
    {
        Assert.Equal(ApiKeyOutcome.Allowed, Decide(_scoped, "SecureEndpoint").Outcome);
        Assert.Equal(ApiKeyOutcome.Allowed, Decide(_scoped, "reports").Outcome);

        var denied = Decide(_scoped, "admin");
        Assert.Equal(ApiKeyOutcome.ScopeDenied, denied.Outcome);
        Assert.Equal("scoped", denied.Key?.Name);

        // Function names, and so scopes, are case-insensitive in Functions.
        Assert.Equal(ApiKeyOutcome.Allowed, Decide(_scoped, "Reports").Outcome);
        Assert.Equal(ApiKeyOutcome.Allowed, Decide(_scoped, "SECUREENDPOINT").Outcome);
    }

    [Fact]
    public void CheckingAKeyAllocatesNothing()
    {
        string[] values = [_valid, _scoped, _revoked, TestKeys.NewValue(), "bad value", new string('k', 600)];
        foreach (var value in values)
        {
            Check(value);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            foreach (var value in values)
            {
                Check(value);
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        void Check(string value)
        {
            if (PresentedKey.Check(value, 1, ApiKeyFormat.DefaultPrefix) == ApiKeyOutcome.Allowed)
            {
                ApiKeyValidator.Decide(value, _ring, "admin", _clock.GetUtcNow());
            }
        }
    }

    private ApiKeyDecision Decide(string value, string scope)
    {
        Assert.Equal(ApiKeyOutcome.Allowed, PresentedKey.Check(value, 1, ApiKeyFormat.DefaultPrefix));
        return ApiKeyValidator.Decide(value, _ring, scope, _clock.GetUtcNow());
    }
}
