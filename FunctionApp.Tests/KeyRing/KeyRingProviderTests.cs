using FunctionsApiKey.KeyRing;
using Microsoft.Extensions.Time.Testing;

namespace FunctionApp.Tests.KeyRing;

public sealed class KeyRingProviderTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public async Task ARequestBeforeTheFirstLoadWaitsForIt()
    {
        var provider = new KeyRingProvider(_clock);
        var waiting = provider.GetAsync(TimeSpan.FromSeconds(10), CancellationToken.None).AsTask();

        Assert.False(waiting.IsCompleted);
        var ring = KeyRingSnapshot.Create([], "test", _clock.GetUtcNow(), out _);
        provider.Publish(ring);

        Assert.Same(ring, await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task AWaitThatOutlastsItsTimeoutGetsNoRing()
    {
        var provider = new KeyRingProvider(_clock);
        var waiting = provider.GetAsync(TimeSpan.FromSeconds(10), CancellationToken.None).AsTask();

        _clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Null(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Null(provider.Current);
    }

    [Fact]
    public async Task OnceARingIsPublishedItIsReturnedAtOnceAndReplacedWhole()
    {
        var provider = new KeyRingProvider(_clock);
        var first = KeyRingSnapshot.Create([], "test", _clock.GetUtcNow(), out _);
        var second = KeyRingSnapshot.Create([], "test", _clock.GetUtcNow(), out _);

        provider.Publish(first);
        var current = provider.GetAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.True(current.IsCompletedSuccessfully);
        Assert.Same(first, await current);

        provider.Publish(second);
        Assert.Same(second, provider.Current);
    }

    [Fact]
    public async Task AFailedFirstAttemptReleasesWaitingRequestsAndLaterOnesDoNotWait()
    {
        var provider = new KeyRingProvider(_clock);
        var waiting = provider.GetAsync(TimeSpan.FromSeconds(10), CancellationToken.None).AsTask();

        provider.ReportFailedLoad();

        Assert.Null(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        var later = provider.GetAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.True(later.IsCompletedSuccessfully);
        Assert.Null(await later);
    }

    [Fact]
    public async Task ARingThatLoadsAfterFailedAttemptsIsServed()
    {
        var provider = new KeyRingProvider(_clock);
        provider.ReportFailedLoad();
        provider.ReportFailedLoad();

        var ring = KeyRingSnapshot.Create([], "test", _clock.GetUtcNow(), out _);
        provider.Publish(ring);

        Assert.Same(ring, await provider.GetAsync(TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public void AFailureAfterARingLoadedKeepsThatRing()
    {
        var provider = new KeyRingProvider(_clock);
        var ring = KeyRingSnapshot.Create([], "test", _clock.GetUtcNow(), out _);
        provider.Publish(ring);

        provider.ReportFailedLoad();

        Assert.Same(ring, provider.Current);
    }
}
