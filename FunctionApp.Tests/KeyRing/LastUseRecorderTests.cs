using FunctionApp.Testing;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.Usage;
using FunctionsApiKey;

namespace FunctionApp.Tests.KeyRing;

/// <summary>What the gate notes about a key's use, in memory: only allowed requests, to the minute, kept across reloads.</summary>
public sealed class LastUseRecorderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 15, 42, TimeSpan.Zero);
    private static readonly DateTimeOffset ThisMinute = new(2026, 11, 28, 10, 15, 0, TimeSpan.Zero);

    private readonly LastUseRecorder _recorder = new();
    private readonly string _valid = TestKeys.NewValue();
    private readonly string _scoped = TestKeys.NewValue();
    private readonly string _expired = TestKeys.NewValue();

    [Fact]
    public void AnAllowedRequestIsNotedAtTheStartOfItsMinute()
    {
        var ring = Ring();

        ApiKeyValidator.Decide(_valid, ring, "SecureEndpoint", Now);

        Assert.Equal([new KeyLastUse("valid", ThisMinute)], _recorder.Changes());
    }

    [Fact]
    public void DeniedRequestsAreNotUses()
    {
        var ring = Ring();

        Assert.Equal(ApiKeyOutcome.ScopeDenied, ApiKeyValidator.Decide(_scoped, ring, "SecureEndpoint", Now).Outcome);
        Assert.Equal(ApiKeyOutcome.Expired, ApiKeyValidator.Decide(_expired, ring, "SecureEndpoint", Now).Outcome);
        Assert.Equal(ApiKeyOutcome.Unknown, ApiKeyValidator.Decide(TestKeys.NewValue(), ring, "SecureEndpoint", Now).Outcome);

        Assert.Empty(_recorder.Changes());
    }

    [Fact]
    public void OnceWrittenAKeyIsAChangeAgainOnlyInALaterMinute()
    {
        var ring = Ring();
        ApiKeyValidator.Decide(_valid, ring, "SecureEndpoint", Now);
        _recorder.MarkWritten(_recorder.Changes());

        ApiKeyValidator.Decide(_valid, ring, "SecureEndpoint", Now.AddSeconds(10));
        Assert.Empty(_recorder.Changes());

        ApiKeyValidator.Decide(_valid, ring, "SecureEndpoint", Now.AddSeconds(30));
        Assert.Equal([new KeyLastUse("valid", ThisMinute.AddMinutes(1))], _recorder.Changes());
    }

    [Fact]
    public void AnEarlierMinuteNeverReplacesALaterOne()
    {
        var ring = Ring();

        ApiKeyValidator.Decide(_valid, ring, "SecureEndpoint", Now.AddMinutes(3));
        ApiKeyValidator.Decide(_valid, ring, "SecureEndpoint", Now);

        Assert.Equal([new KeyLastUse("valid", ThisMinute.AddMinutes(3))], _recorder.Changes());
    }

    [Fact]
    public void AUseBeforeAReloadIsStillWrittenAfterIt()
    {
        ApiKeyValidator.Decide(_valid, Ring(), "SecureEndpoint", Now);

        var reloaded = Ring();

        Assert.Equal([new KeyLastUse("valid", ThisMinute)], _recorder.Changes());
        ApiKeyValidator.Decide(_valid, reloaded, "SecureEndpoint", Now.AddMinutes(1));
        Assert.Equal([new KeyLastUse("valid", ThisMinute.AddMinutes(1))], _recorder.Changes());
    }

    [Fact]
    public void AKeyThatLeftTheRingIsForgottenOnlyOnceItsUseIsWritten()
    {
        ApiKeyValidator.Decide(_valid, Ring(), "SecureEndpoint", Now);

        KeyRingSnapshot.Create([TestKeys.Create("other", TestKeys.NewValue())], "test", Now, _recorder, out _);
        Assert.Equal([new KeyLastUse("valid", ThisMinute)], _recorder.Changes());

        _recorder.MarkWritten(_recorder.Changes());
        KeyRingSnapshot.Create([TestKeys.Create("other", TestKeys.NewValue())], "test", Now, _recorder, out _);
        _recorder.MarkWritten([new KeyLastUse("valid", ThisMinute.AddMinutes(5))]);
        ApiKeyValidator.Decide(_valid, Ring(), "SecureEndpoint", Now);
        Assert.Equal([new KeyLastUse("valid", ThisMinute)], _recorder.Changes());
    }

    [Fact]
    public void WithoutARecorderNothingIsNoted()
    {
        var ring = KeyRingSnapshot.Create([TestKeys.Create("valid", _valid)], "test", Now, out _);

        Assert.Equal(ApiKeyOutcome.Allowed, ApiKeyValidator.Decide(_valid, ring, "SecureEndpoint", Now).Outcome);
        Assert.Empty(_recorder.Changes());
    }

    private KeyRingSnapshot Ring() => KeyRingSnapshot.Create(
    [
        TestKeys.Create("valid", _valid),
        TestKeys.Create("scoped", _scoped, scopes: ["reports"]),
        TestKeys.Create("expired", _expired, expiresOn: Now.AddDays(-1)),
    ], "test", Now, _recorder, out _);
}
