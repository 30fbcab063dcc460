using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Tests.Storage;
using FunctionsApiKey;
using FunctionsApiKey.SharedRing;
using Microsoft.Extensions.Time.Testing;

namespace FunctionApp.Tests.SharedRing;

/// <summary>
/// A fleet of instances following one ring in Azurite, one fake vault behind them, when the publisher stops (its
/// instance died, and the host has not yet given the timer to another): one instance, holding the stand-in lease, runs
/// the publisher in its place, so the vault sees one publisher's requests however many instances there are, no instance
/// is ever without its keys, and a key disabled in the vault meanwhile is refused within the stated bound.
/// </summary>
public sealed class SharedRingStandInTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const int Keys = 60;
    private const int FleetSize = 10;
    private readonly FakeTimeProvider _vaultClock = new(DateTimeOffset.UtcNow.AddMinutes(-10));
    private FakeKeyVaultServer _vault = null!;
    private SharedRingHarness _ring = null!;

    private TimeSpan StaleAfter => _ring.Options.RingStaleAfter;

    private TimeSpan Poll => _ring.Options.RingPollInterval;

    public async Task InitializeAsync()
    {
        _vault = await FakeKeyVaultServer.StartAsync(_vaultClock);
        _ring = await SharedRingHarness.StartAsync(_vault, storage.Azurite, storage.Identity);
        for (var i = 0; i < Keys; i++)
        {
            _vault.SetSecret($"apikey-k{i:D3}", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        }

        _vaultClock.Advance(TimeSpan.FromSeconds(2));
    }

    public async Task DisposeAsync()
    {
        await _ring.DisposeAsync();
        await _vault.DisposeAsync();
    }

    [Fact]
    public async Task WhenThePublisherStopsTheVaultSeesAtMostTwoPublisherRunsNotOnePerInstanceAndNoInstanceLosesItsKeys()
    {
        var fleet = await RunningFleetAsync(FleetSize);
        var oneRun = await OnePublisherRunAsync();

        // The publisher stops. A vault that allows two publisher runs' requests in all, then answers 429.
        _vault.ClearRequests();
        _vault.ThrottleWindow = TimeSpan.FromHours(1);
        _vault.ThrottleLimit = 2 * oneRun;
        await PollWithoutPublisherAsync(fleet, TimeSpan.FromMinutes(2) + StaleAfter / 4);

        var requests = _vault.Requests.Count(r => r.HadToken);
        Assert.True(requests >= oneRun, $"{requests} vault requests: nobody stood in for the publisher");
        Assert.True(requests <= 2 * oneRun, $"{requests} vault requests, more than two publisher runs ({oneRun} each)");
        Assert.Equal(0, _vault.Throttled);
        Assert.Empty(fleet.WithoutKeys);
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Id.Id == 45);
        Assert.DoesNotContain(_ring.Logs.GetSnapshot(), r => r.Id.Id == 41);
        var standIns = _ring.StandIns.GetMeasurementSnapshot();
        Assert.InRange(standIns.Count(m => (string?)m.Tags["apikey.ring.result"] == "published"), 1, 2);

        // The publisher is back (the vault's budget is spent, so it is lifted): the ring stays confirmed, and nobody
        // stands in any more.
        _vault.ThrottleLimit = null;
        var published = standIns.Count;
        for (var i = 0; i < 12; i++)
        {
            _ring.Clock.Advance(TimeSpan.FromSeconds(10));
            await _ring.Publisher().PublishAsync(CancellationToken.None);
            await LoadAllAsync(fleet);
        }

        Assert.Equal(published, _ring.StandIns.GetMeasurementSnapshot().Count);
        Assert.Empty(fleet.WithoutKeys);
    }

    [Fact]
    public async Task AKeyDisabledInTheVaultWhileThePublisherIsGoneIsRefusedByEveryInstanceWithinRingStaleAfterAndTwoPolls()
    {
        var fleet = await RunningFleetAsync(FleetSize);
        var stoppedAt = _ring.Clock.GetUtcNow();
        _ring.Clock.Advance(TimeSpan.FromSeconds(10));
        await LoadAllAsync(fleet);
        _vault.DisableSecret("apikey-k007");
        _vaultClock.Advance(TimeSpan.FromSeconds(2));
        var disabledAt = _ring.Clock.GetUtcNow();
        fleet.Disabled = "k007";

        await PollWithoutPublisherAsync(fleet, TimeSpan.FromMinutes(2));

        // The bound: RingStaleAfter past the ring's last confirmation (no later than the disabling), a poll (with its
        // jitter) for the first instance to notice and stand in, and a poll for the rest to take what it published.
        var bound = StaleAfter + (Poll * 2.4);
        Assert.Equal(FleetSize, fleet.RefusedAt.Count);
        Assert.All(fleet.RefusedAt.Values, at => Assert.InRange(at - disabledAt, TimeSpan.Zero, bound));
        Assert.All(fleet.RefusedAt.Values, at => Assert.True(at - stoppedAt > StaleAfter, $"refused {at - stoppedAt} after the publisher stopped, before the ring went stale"));
        Assert.Empty(fleet.WithoutKeys);
    }

    [Fact]
    public async Task WhenTheStandInCannotPublishEveryInstanceReadsTheVaultItselfOnceTheGraceHasPassed()
    {
        var fleet = await RunningFleetAsync(3);
        var stoppedAt = _ring.Clock.GetUtcNow();

        // A signing secret the publisher cannot use: any stand-in's run fails, the vault itself still answers.
        _vault.SetSecret(SharedRingHarness.SigningSecret, "not a key");
        _vault.DisableSecret("apikey-k007");
        _vaultClock.Advance(TimeSpan.FromSeconds(2));
        fleet.Disabled = "k007";

        await PollWithoutPublisherAsync(fleet, TimeSpan.FromMinutes(2));

        // Each instance keeps its keys for StandInGrace past RingStaleAfter, then reads the vault (the path of old).
        var grace = _ring.Options.StandInGrace;
        Assert.Equal(3, fleet.RefusedAt.Count);
        Assert.All(fleet.RefusedAt.Values, at => Assert.InRange(at - stoppedAt, StaleAfter + grace, StaleAfter + grace + (Poll * 1.2)));
        Assert.Contains(_ring.StandIns.GetMeasurementSnapshot(), m => (string?)m.Tags["apikey.ring.result"] == "failed");
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Id.Id == 52);
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Id.Id == 41);
        Assert.Empty(fleet.WithoutKeys);
    }

    [Fact]
    public async Task WithTheVaultDownTooEveryInstanceKeepsItsKeysAsOldAsTheirLastConfirmation()
    {
        var fleet = await RunningFleetAsync(3);
        var confirmedAt = _ring.Clock.GetUtcNow();
        _vault.StartOutage(503);

        await PollWithoutPublisherAsync(fleet, TimeSpan.FromMinutes(2));

        Assert.Empty(fleet.WithoutKeys);
        Assert.All(fleet.AsOf.Values, asOf => Assert.Equal(confirmedAt, asOf));
        Assert.Contains(_ring.StandIns.GetMeasurementSnapshot(), m => (string?)m.Tags["apikey.ring.result"] == "failed");
    }

    /// <summary>
    /// Instances that loaded the ring and have seen the publisher confirm it since they started (a fleet that has been
    /// up for a while), each with its own storage client. The publisher's last run is now.
    /// </summary>
    private async Task<Fleet> RunningFleetAsync(int size)
    {
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var fleet = new Fleet([.. Enumerable.Range(0, size).Select(_ => _ring.Instance(_ring.NewStore()))]);
        await LoadAllAsync(fleet);
        _ring.Clock.Advance(StaleAfter / 4 + TimeSpan.FromSeconds(1));
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        await LoadAllAsync(fleet);
        Assert.Empty(fleet.WithoutKeys);
        return fleet;
    }

    /// <summary>The vault requests of one publisher run over an unchanged ring (the signing key and the listing).</summary>
    private async Task<int> OnePublisherRunAsync()
    {
        _vault.ClearRequests();
        Assert.Equal(PublishOutcome.Unchanged, await _ring.Publisher().PublishAsync(CancellationToken.None));
        var run = _vault.Requests.Count(r => r.HadToken);
        Assert.Equal(1 + ((Keys + 1 + 24) / 25), run);
        return run;
    }

    /// <summary>Every instance loads once a poll interval, with nobody running the publisher, for <paramref name="span"/>.</summary>
    private async Task PollWithoutPublisherAsync(Fleet fleet, TimeSpan span)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < span; elapsed += Poll)
        {
            _ring.Clock.Advance(Poll);
            await LoadAllAsync(fleet);
        }
    }

    /// <summary>Every instance loads at once, as a fleet polls: they race for the stand-in lease.</summary>
    private async Task LoadAllAsync(Fleet fleet)
    {
        var now = _ring.Clock.GetUtcNow();
        var loads = await Task.WhenAll(fleet.Instances.Select(async instance =>
        {
            try
            {
                return (Result: await instance.LoadAsync(CancellationToken.None), Error: (string?)null);
            }
            catch (ApiKeySourceException ex)
            {
                return (Result: (ApiKeyLoadResult?)null, Error: ex.Message);
            }
        }));

        foreach (var ((result, error), index) in loads.Select((l, i) => (l, i)))
        {
            if (result?.Keys is { } keys)
            {
                fleet.Keys[index] = keys;
            }

            if (result?.AsOf is { } asOf)
            {
                fleet.AsOf[index] = asOf;
            }

            // As the key ring judges it: keys loaded, and not older than MaxKeyRingAge.
            if (error is not null || !fleet.Keys.TryGetValue(index, out var held) || held.Count == 0 || now - fleet.AsOf[index] > SharedRingHarness.MaxKeyRingAge)
            {
                fleet.WithoutKeys.Add($"instance {index} at {now:O}: {error}");
            }
            else if (fleet.Disabled is { } name && !fleet.RefusedAt.ContainsKey(index) && held.FirstOrDefault(k => k.Name == name) is null or { IsRevoked: true })
            {
                fleet.RefusedAt[index] = now;
            }
        }
    }

    /// <summary>The instances, and what they did while polling: who was ever without keys, and when each refused the disabled key.</summary>
    private sealed class Fleet(List<SharedRingApiKeySource> instances)
    {
        public List<SharedRingApiKeySource> Instances { get; } = instances;

        public string? Disabled { get; set; }

        public Dictionary<int, IReadOnlyList<ApiKey>> Keys { get; } = [];

        public Dictionary<int, DateTimeOffset> AsOf { get; } = [];

        public List<string> WithoutKeys { get; } = [];

        public Dictionary<int, DateTimeOffset> RefusedAt { get; } = [];
    }
}
