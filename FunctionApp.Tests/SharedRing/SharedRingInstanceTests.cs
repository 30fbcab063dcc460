using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Tests.KeyRing;
using FunctionApp.Tests.Storage;
using FunctionApp.Tests.TestDoubles;
using FunctionsApiKey;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.SharedRing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FunctionApp.Tests.SharedRing;

/// <summary>
/// An instance following the shared ring, over the real blob client (Azurite, managed identity) and the real vault
/// client: one read at start, a 304 for an unchanged ring, a new generation taken whole, every bad blob refused with
/// the keys in force kept, and the vault read directly only while the ring is missing, stale or unreadable.
/// </summary>
public sealed class SharedRingInstanceTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly FakeTimeProvider _vaultClock = new(DateTimeOffset.UtcNow.AddMinutes(-10));
    private readonly string _value = TestKeys.NewValue();
    private FakeKeyVaultServer _vault = null!;
    private SharedRingHarness _ring = null!;

    public async Task InitializeAsync()
    {
        _vault = await FakeKeyVaultServer.StartAsync(_vaultClock);
        _ring = await SharedRingHarness.StartAsync(_vault, storage.Azurite, storage.Identity);
        _vault.SetSecret("apikey-partner", _value, tags: KeyTags.EveryFunction);
        _vaultClock.Advance(TimeSpan.FromSeconds(2));
    }

    public async Task DisposeAsync()
    {
        await _ring.DisposeAsync();
        await _vault.DisposeAsync();
    }

    [Fact]
    public async Task AnInstanceStartsFromThePublishedRingAndItsHeartbeatWithNoVaultRequest()
    {
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        _vault.ClearRequests();
        _ring.StorageRequests.Clear();

        var loaded = await _ring.Instance().LoadAsync(CancellationToken.None);

        Assert.True(TestKeys.HasValue(Assert.Single(loaded.Keys!), _value));
        Assert.Equal(_ring.Clock.GetUtcNow(), loaded.AsOf);
        Assert.Equal(["GET 200 /keyring", "GET 200 /keyring.heartbeat"], _ring.StorageRequests.Select(r => $"{r.Method} {r.Status} {r.Path[r.Path.LastIndexOf('/')..]}"));
        Assert.Empty(_vault.Requests);
    }

    [Fact]
    public async Task ADeclaredPropertyGoesFromItsVaultTagThroughThePublishedRingToTheInstances()
    {
        var value = TestKeys.NewValue();
        _vault.SetSecret("apikey-regional", value, tags: new Dictionary<string, string> { ["scopes"] = "*", ["region"] = "eu", ["tier"] = "Gold" });
        _vaultClock.Advance(TimeSpan.FromSeconds(2));
        ApiKeyProperty[] declared = [TestKeyProperties.Region, TestKeyProperties.Tier];
        await _ring.Publisher(declared: declared).PublishAsync(CancellationToken.None);
        _vault.ClearRequests();

        var knowing = await _ring.Instance(declared: declared).LoadAsync(CancellationToken.None);
        var knowingTierOnly = await _ring.Instance(declared: [TestKeyProperties.Tier]).LoadAsync(CancellationToken.None);

        // Canonical forms, read from the ring alone: the instances asked the vault nothing.
        Assert.Empty(_vault.Requests);
        var regional = Assert.Single(knowing.Keys!, k => TestKeys.HasValue(k, value));
        Assert.True(regional.TryGetProperty(TestKeyProperties.Region, out var region));
        Assert.True(regional.TryGetProperty(TestKeyProperties.Tier, out var tier));
        Assert.Equal(("EU", "gold"), (region, tier));
        // An app that does not declare the critical Region cannot honour it, so it leaves the key out.
        Assert.DoesNotContain(knowingTierOnly.Keys!, k => TestKeys.HasValue(k, value));
        Assert.Contains(knowingTierOnly.Keys!, k => TestKeys.HasValue(k, _value));
    }

    [Fact]
    public async Task AnUnchangedRingCostsOne304AndNoBytes()
    {
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var instance = _ring.Instance();
        await instance.LoadAsync(CancellationToken.None);
        _ring.StorageRequests.Clear();
        _ring.Clock.Advance(TimeSpan.FromSeconds(5));

        var poll = await instance.LoadAsync(CancellationToken.None);

        Assert.Null(poll.Keys);
        var request = Assert.Single(_ring.StorageRequests);
        Assert.Equal(("GET", 304, 0L), (request.Method, request.Status, request.ResponseBytes));
        Assert.Contains(_ring.Polls.GetMeasurementSnapshot(), m => (string?)m.Tags["apikey.ring.result"] == "unchanged");
    }

    [Fact]
    public async Task ANewGenerationIsTakenAtTheNextPoll()
    {
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var instance = _ring.Instance();
        await instance.LoadAsync(CancellationToken.None);
        _vault.DisableSecret("apikey-partner");
        _vaultClock.Advance(TimeSpan.FromSeconds(2));
        _ring.Clock.Advance(TimeSpan.FromSeconds(10));
        await _ring.Publisher().PublishAsync(CancellationToken.None);

        var poll = await instance.LoadAsync(CancellationToken.None);

        Assert.True(Assert.Single(poll.Keys!).IsRevoked);
        Assert.Equal(_ring.Clock.GetUtcNow(), poll.AsOf);
    }

    public static TheoryData<string> Damage => ["empty", "truncated", "not a ring", "unknown version", "bad signature", "foreign key", "malformed entry", "older generation", "another prefix's ring", "another vault's ring", "unbound ring of the format before"];

    [Theory]
    [MemberData(nameof(Damage))]
    public async Task ABadRingInStorageIsRefusedAndTheKeysInForceStay(string damage)
    {
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var instance = _ring.Instance();
        Assert.Single((await instance.LoadAsync(CancellationToken.None)).Keys!);
        var current = await _ring.Store.ReadRingAsync(null, CancellationToken.None);
        var bad = Damaged(damage, current.Content.ToArray());
        Assert.True(await _ring.Store.TryWriteRingAsync(bad, current.ETag, CancellationToken.None));

        var poll = await instance.LoadAsync(CancellationToken.None);

        Assert.Null(poll.Keys);
        var reason = Assert.Single(_ring.Refusals.GetMeasurementSnapshot()).Tags["apikey.ring.reason"];
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Message == $"Refused the key ring in {_ring.Store.Description}: {reason}; keeping the keys in force");
        Assert.Equal(ExpectedReason(damage), reason);

        // Not read again while it stays: the next poll is a 304, with no second refusal.
        await instance.LoadAsync(CancellationToken.None);
        Assert.Single(_ring.Refusals.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task ARingLargerThanTheSupportedMaximumIsRefusedUnreadAndTheKeysInForceStay()
    {
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var instance = _ring.Instance();
        Assert.True(TestKeys.HasValue(Assert.Single((await instance.LoadAsync(CancellationToken.None)).Keys!), _value));
        var current = await _ring.Store.ReadRingAsync(null, CancellationToken.None);
        Assert.True(await _ring.Store.TryWriteRingAsync(new byte[RingCodec.MaxRingSize + 1], current.ETag, CancellationToken.None));
        var readBefore = _ring.BodyBytesRead;

        var poll = await instance.LoadAsync(CancellationToken.None);

        Assert.Null(poll.Keys);
        Assert.True(_ring.BodyBytesRead - readBefore < 1024 * 1024, $"{_ring.BodyBytesRead - readBefore} bytes read");
        Assert.Equal("too_large", Assert.Single(_ring.Refusals.GetMeasurementSnapshot()).Tags["apikey.ring.reason"]);
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Message == $"Refused the key ring in {_ring.Store.Description}: too_large; keeping the keys in force");

        // The keys in force stay (the next poll is a 304 with nothing new), and the blob is not refused again.
        _ring.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Null((await instance.LoadAsync(CancellationToken.None)).Keys);
        Assert.Single(_ring.Refusals.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task AHeartbeatLargerThanAHeartbeatIsRefusedUnreadAndConfirmsNothing()
    {
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var instance = _ring.Instance();
        var loaded = await instance.LoadAsync(CancellationToken.None);
        var publishedAt = loaded.AsOf;
        await _ring.Store.WriteHeartbeatAsync(new byte[4 * 1024 * 1024], CancellationToken.None);
        _ring.Clock.Advance(TimeSpan.FromSeconds(50));
        var readBefore = _ring.BodyBytesRead;

        var poll = await instance.LoadAsync(CancellationToken.None);

        Assert.Equal(publishedAt, poll.AsOf);
        Assert.True(_ring.BodyBytesRead - readBefore < 1024 * 1024, $"{_ring.BodyBytesRead - readBefore} bytes read");
        Assert.Equal("too_large", Assert.Single(_ring.Refusals.GetMeasurementSnapshot()).Tags["apikey.ring.reason"]);
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Message == $"Refused the key ring in {_ring.Store.Description}.heartbeat: too_large; keeping the keys in force");
    }

    [Fact]
    public async Task WithNoRingYetTheInstanceReadsTheVault()
    {
        var loaded = await _ring.Instance().LoadAsync(CancellationToken.None);

        Assert.True(TestKeys.HasValue(Assert.Single(loaded.Keys!), _value));
        Assert.Contains(_vault.Requests, r => r.IsListRequest);
    }

    [Fact]
    public async Task WithStorageDownAtStartTheVaultServes()
    {
        var loaded = await _ring.Instance(SharedRingHarness.DownStore()).LoadAsync(CancellationToken.None);

        Assert.True(TestKeys.HasValue(Assert.Single(loaded.Keys!), _value));
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Message.StartsWith("Reading the key ring from ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StorageThatStopsAnsweringWhenTheHeartbeatIsDueFailsNoLoadAndIsReportedOnce()
    {
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        await using var proxy = new FaultProxy(storage.Azurite.BlobServiceUri.Port);
        var instance = _ring.Instance(_ring.NewStore(proxy: proxy));
        Assert.NotNull((await instance.LoadAsync(CancellationToken.None)).Keys);

        // Past half of RingStaleAfter the heartbeat is due; the SDK's own timeout (1 s here) ends the hung reads, with a
        // TaskCanceledException that the heartbeat read used to let through, failing the whole load.
        _ring.Clock.Advance(_ring.Options.RingStaleAfter * 0.75);
        proxy.Fault = ProxyFault.Hang;
        var first = await instance.LoadAsync(CancellationToken.None);
        _ring.Clock.Advance(_ring.Options.RingPollInterval);
        var second = await instance.LoadAsync(CancellationToken.None);

        Assert.Null(first.Keys);
        Assert.Null(second.Keys);
        var unreadable = Assert.Single(_ring.Logs.GetSnapshot(), r => r.Id.Id == 43);
        Assert.StartsWith($"Reading the key ring from {_ring.Store.Description} failed (storage devstoreaccount1/{_ring.Store.Description}: ", unreadable.Message, StringComparison.Ordinal);
        Assert.Equal(2, _ring.Polls.GetMeasurementSnapshot().Count(m => (string?)m.Tags["apikey.ring.result"] == "failed"));
    }

    [Fact]
    public async Task WithTheVaultDownAtStartAFreshRingServes()
    {
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        _vault.StartOutage(503);

        var loaded = await _ring.Instance().LoadAsync(CancellationToken.None);

        Assert.True(TestKeys.HasValue(Assert.Single(loaded.Keys!), _value));
    }

    [Fact]
    public async Task WithTheVaultDownAFreshInstanceServesNoRingUnconfirmedForRingStaleAfter()
    {
        // The ring and heartbeat in storage may be old ones put back: a fresh instance cannot tell, so it waits for
        // the vault or the publisher (503) instead of serving keys that may have been revoked since.
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        _ring.Clock.Advance(TimeSpan.FromSeconds(61));
        _vault.StartOutage(503);
        var instance = _ring.Instance();

        var error = await Assert.ThrowsAsync<ApiKeySourceException>(() => instance.LoadAsync(CancellationToken.None));

        Assert.StartsWith($"the key ring in {_ring.Store.Description} is not current (last confirmed 61 s ago), and the vault failed: HTTP 503", error.Message, StringComparison.Ordinal);

        // The publisher answers (its vault is back): its heartbeat makes the ring current, and the instance serves it.
        _vault.EndOutage();
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        _vault.StartOutage(503);
        _ring.Clock.Advance(TimeSpan.FromSeconds(1));
        var loaded = await instance.LoadAsync(CancellationToken.None);
        Assert.True(TestKeys.HasValue(Assert.Single(loaded.Keys!), _value));
    }

    [Fact]
    public async Task AFreshInstanceTrustsARingOnlyUntilRingStaleAfterPastItsSignedConfirmationWhileTheVaultIsDown()
    {
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var confirmedAt = _ring.Clock.GetUtcNow();
        _ring.Clock.Advance(TimeSpan.FromSeconds(20));
        _vault.StartOutage(503);

        await AssertServedOnlyUntilRingStaleAfterAsync(_ring.Instance(), confirmedAt);
    }

    [Fact]
    public async Task AnInstanceThatSawThePublisherConfirmTheRingWhileRunningKeepsItsKeysAgingWhileBothAreDown()
    {
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var instance = _ring.Instance();
        await instance.LoadAsync(CancellationToken.None);
        _ring.Clock.Advance(TimeSpan.FromSeconds(31));
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var heartbeatAt = _ring.Clock.GetUtcNow();
        Assert.Equal(heartbeatAt, (await instance.LoadAsync(CancellationToken.None)).AsOf);

        // The publisher's heartbeat, dated after this instance started, shows the ring is the current one: with the
        // vault and the publisher down, its keys stay and age from that heartbeat, as in every mode.
        _vault.StartOutage(503);
        _ring.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(heartbeatAt, (await instance.LoadAsync(CancellationToken.None)).AsOf);
    }

    [Fact]
    public async Task AHeartbeatForANewerGenerationShowsAFreshInstanceThatTheRingWasRolledBack()
    {
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var old = await _ring.Store.ReadRingAsync(null, CancellationToken.None);
        _vault.DisableSecret("apikey-partner");
        _vaultClock.Advance(TimeSpan.FromSeconds(2));
        _ring.Clock.Advance(TimeSpan.FromSeconds(10));
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var current = await _ring.Store.ReadRingAsync(null, CancellationToken.None);
        Assert.True(await _ring.Store.TryWriteRingAsync(old.Content.ToArray(), current.ETag, CancellationToken.None));

        var loaded = await _ring.Instance().LoadAsync(CancellationToken.None);

        // The key disabled since is refused: the instance read the vault instead of the ring put back.
        Assert.True(Assert.Single(loaded.Keys!).IsRevoked);
        Assert.Equal("rollback", Assert.Single(_ring.Refusals.GetMeasurementSnapshot()).Tags["apikey.ring.reason"]);
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Message == $"Refused the key ring in {_ring.Store.Description}: rollback; keeping the keys in force");
        Assert.Contains(_vault.Requests, r => r.IsListRequest);
    }

    [Fact]
    public async Task ARingWrittenBetweenAPollAndTheHeartbeatReadIsTakenNotRefusedAsARollback()
    {
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var instance = _ring.Instance();
        await instance.LoadAsync(CancellationToken.None);
        _vault.DisableSecret("apikey-partner");
        _vaultClock.Advance(TimeSpan.FromSeconds(2));
        _ring.Clock.Advance(TimeSpan.FromSeconds(31));

        // The publisher writes the next generation and its heartbeat just after this poll found the ring unchanged.
        _ring.AfterNextNotModified = () => _ring.Publisher(_ring.NewStore()).PublishAsync(CancellationToken.None).GetAwaiter().GetResult();
        var poll = await instance.LoadAsync(CancellationToken.None);

        Assert.True(Assert.Single(poll.Keys!).IsRevoked);
        Assert.Equal(_ring.Clock.GetUtcNow(), poll.AsOf);
        Assert.Empty(_ring.Refusals.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task AHeartbeatOfAnotherRingAtTheSameGenerationConfirmsNothing()
    {
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var instance = _ring.Instance();
        var publishedAt = (await instance.LoadAsync(CancellationToken.None)).AsOf;
        var ring = await _ring.Store.ReadRingAsync(null, CancellationToken.None);
        Assert.Equal(RingRefusal.None, RingCodec.TryReadRing(ring.Content.Span, _ring.Verifier, out var document));
        _ring.Clock.Advance(TimeSpan.FromSeconds(50));

        // Another app's heartbeat, signed with the same key, for its own ring at this generation.
        var foreign = new RingHeartbeat(document!.Generation, RingCodec.Digest("another app's ring"u8), _ring.Clock.GetUtcNow());
        await _ring.Store.WriteHeartbeatAsync(RingCodec.WriteHeartbeat(foreign, _ring.Signer), CancellationToken.None);

        Assert.Equal(publishedAt, (await instance.LoadAsync(CancellationToken.None)).AsOf);
    }

    [Fact]
    public async Task ARingDatedAheadOfThisClockCountsAsConfirmedWhenReadSoItStillAges()
    {
        var ahead = RingTestKeys.Ring(1, RingTestKeys.Entry("partner", _value)) with { PublishedAt = _ring.Clock.GetUtcNow().AddDays(1) };
        Assert.True(await _ring.Store.TryWriteRingAsync(RingCodec.WriteRing(ahead, _ring.Signer), null, CancellationToken.None));
        _vault.StartOutage(503);

        // Confirmed as of its read, so past RingStaleAfter from then, with nothing confirming it since, its keys end.
        await AssertServedOnlyUntilRingStaleAfterAsync(_ring.Instance(), _ring.Clock.GetUtcNow());
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Message.StartsWith("The key ring was last confirmed by its publisher 61 s ago", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithNeitherARingNorTheVaultTheLoadFails()
    {
        _vault.StartOutage(503);

        var error = await Assert.ThrowsAsync<ApiKeySourceException>(() => _ring.Instance().LoadAsync(CancellationToken.None));

        Assert.StartsWith($"no key ring in {_ring.Store.Description}, and the vault failed: HTTP 503", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithStorageAndTheVaultOutOfReachAtStartNoKeyIsServedUntilOneOfThemAnswers()
    {
        // A fresh ring is in storage, but neither it nor the vault can be reached: the instance has no keys to trust, so
        // its first loads fail and protected functions answer 503 (no key ring), rather than letting any request through.
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        await using var storageProxy = new FaultProxy(storage.Azurite.BlobServiceUri.Port, ProxyFault.Reset);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var keyRings = new KeyRingProvider(_ring.Clock);
        var refresher = new KeyRingRefresher(
            _ring.Instance(_ring.NewStore(proxy: storageProxy), vaultPort: ClosedLoopbackPort.Next()), keyRings, Microsoft.Extensions.Options.Options.Create(new ApiKeyOptions()), _ring.Clock,
            new ApiKeyMetrics(services.GetRequiredService<IMeterFactory>(), keyRings, _ring.Clock), TestLogging.Factory(_ring.Logs));

        var first = await refresher.RefreshAsync(CancellationToken.None);
        _ring.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await refresher.RefreshAsync(CancellationToken.None);

        var expected = $"no key ring in {_ring.Store.Description}, and the vault failed: vault myvault.vault.azure.net unreachable: network error ConnectionRefused";
        Assert.Equal(expected, first);
        Assert.Equal(expected, second);
        Assert.Null(keyRings.Current);
        var unreadable = Assert.Single(_ring.Logs.GetSnapshot(), r => r.Id.Id == 43);
        Assert.StartsWith($"Reading the key ring from {_ring.Store.Description} failed (storage devstoreaccount1/{_ring.Store.Description}: ", unreadable.Message, StringComparison.Ordinal);

        // Storage answers again, the vault still does not: the ring, confirmed within RingStaleAfter, serves.
        storageProxy.Fault = ProxyFault.None;
        _ring.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await refresher.RefreshAsync(CancellationToken.None));
        Assert.Equal("partner", keyRings.Current?.FindKey(TestKeys.Hash(_value))?.Name);
    }

    [Fact]
    public async Task ARunningInstanceKeepsItsKeysAgingWhenStorageAndTheVaultBothResetConnections()
    {
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        await using var storageProxy = new FaultProxy(storage.Azurite.BlobServiceUri.Port);
        await using var vaultProxy = new FaultProxy(_vault.Port);
        var instance = _ring.Instance(_ring.NewStore(proxy: storageProxy), vaultPort: vaultProxy.Port);
        Assert.NotNull((await instance.LoadAsync(CancellationToken.None)).Keys);
        _ring.Clock.Advance(TimeSpan.FromSeconds(31));
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var heartbeatAt = _ring.Clock.GetUtcNow();
        Assert.Equal(heartbeatAt, (await instance.LoadAsync(CancellationToken.None)).AsOf);

        storageProxy.Fault = ProxyFault.Reset;
        vaultProxy.Fault = ProxyFault.Reset;
        _ring.Clock.Advance(TimeSpan.FromSeconds(61));
        var kept = await instance.LoadAsync(CancellationToken.None);

        // The keys in force stay, as old as the publisher's last word, so MaxKeyRingAge still ends them.
        Assert.Null(kept.Keys);
        Assert.Equal(heartbeatAt, kept.AsOf);
        // Each failure names where it was; how a reset shows (a reset, a broken pipe, a cut TLS handshake) depends on timing.
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Id.Id == 43 && r.Message.StartsWith($"Reading the key ring from {_ring.Store.Description} failed (storage devstoreaccount1/{_ring.Store.Description}: ", StringComparison.Ordinal));
        var fallback = Assert.Single(_ring.Logs.GetSnapshot(), r => r.Id.Id == 44);
        Assert.Matches(@"^Reading the vault while the key ring is stale failed \(vault myvault\.vault\.azure\.net unreachable: .+\); keeping the keys in force$", fallback.Message);
    }

    [Fact]
    public async Task AHeartbeatKeepsAnUnchangedRingCurrentWithoutDownloadingIt()
    {
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var instance = _ring.Instance();
        await instance.LoadAsync(CancellationToken.None);
        _ring.Clock.Advance(TimeSpan.FromSeconds(50));
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        _vault.ClearRequests();
        _ring.StorageRequests.Clear();

        var poll = await instance.LoadAsync(CancellationToken.None);

        Assert.Null(poll.Keys);
        Assert.Equal(_ring.Clock.GetUtcNow(), poll.AsOf);
        Assert.Equal(["GET 304 /keyring", "GET 200 /keyring.heartbeat"], _ring.StorageRequests.Select(r => $"{r.Method} {r.Status} {r.Path[r.Path.LastIndexOf('/')..]}"));
        Assert.Empty(_vault.Requests);
    }

    [Fact]
    public async Task AStaleRingSendsTheInstanceToTheVaultForOnlyWhatChangedUntilThePublisherIsBack()
    {
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var instance = _ring.Instance();
        await instance.LoadAsync(CancellationToken.None);
        var added = TestKeys.NewValue();
        _vault.SetSecret("apikey-added", added, tags: KeyTags.EveryFunction);
        _vaultClock.Advance(TimeSpan.FromSeconds(2));
        _vault.ClearRequests();

        // The publisher stops: no new ring, no heartbeat. Past RingStaleAfter the instance reads the vault itself.
        _ring.Clock.Advance(TimeSpan.FromSeconds(61));
        var fallback = await instance.LoadAsync(CancellationToken.None);

        Assert.Equal(["added", "partner"], fallback.Keys!.Select(k => k.Name).Order());
        Assert.Equal(["/secrets/apikey-added"], _vault.Requests.Where(r => r.IsValueRequest).Select(r => r.Path));
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Message.StartsWith("The key ring was last confirmed by its publisher 61 s ago", StringComparison.Ordinal));

        // Not again before RefreshInterval: the keys in force stay, confirmed as of the vault read.
        _vault.ClearRequests();
        _ring.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Null((await instance.LoadAsync(CancellationToken.None)).Keys);
        Assert.DoesNotContain(_vault.Requests, r => r.IsListRequest);

        // The publisher is back: its ring is followed again.
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var back = await instance.LoadAsync(CancellationToken.None);
        Assert.Equal(["added", "partner"], back.Keys!.Select(k => k.Name).Order());
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Message.StartsWith("Following the key ring again (generation ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeysServedFromTheVaultAgeFromItsLastAnswerWhileItFails()
    {
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var instance = _ring.Instance();
        await instance.LoadAsync(CancellationToken.None);
        _ring.Clock.Advance(TimeSpan.FromSeconds(61));
        var fallback = await instance.LoadAsync(CancellationToken.None);
        Assert.NotNull(fallback.Keys);
        var answeredAt = _ring.Clock.GetUtcNow();

        // The vault goes down too: each failed attempt, and each poll between attempts, keeps the keys' age, so
        // MaxKeyRingAge can still end their use.
        _vault.StartOutage(503);
        _ring.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(answeredAt, (await instance.LoadAsync(CancellationToken.None)).AsOf);
        _ring.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(answeredAt, (await instance.LoadAsync(CancellationToken.None)).AsOf);
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Message.Contains("HTTP 503", StringComparison.Ordinal));
    }

    /// <summary>
    /// With the vault down, a fresh instance serves the ring confirmed at <paramref name="confirmedAt"/>; nothing confirms it
    /// while the instance runs, so once RingStaleAfter has passed since then its keys count as older than
    /// MaxKeyRingAge, and protected functions answer 503.
    /// </summary>
    private async Task AssertServedOnlyUntilRingStaleAfterAsync(SharedRingApiKeySource instance, DateTimeOffset confirmedAt)
    {
        var loaded = await instance.LoadAsync(CancellationToken.None);
        Assert.True(TestKeys.HasValue(Assert.Single(loaded.Keys!), _value));
        Assert.Equal(confirmedAt, loaded.AsOf);

        _ring.Clock.Advance(confirmedAt + _ring.Options.RingStaleAfter + TimeSpan.FromSeconds(1) - _ring.Clock.GetUtcNow());
        var lapsed = await instance.LoadAsync(CancellationToken.None);

        Assert.Null(lapsed.Keys);
        Assert.Equal(confirmedAt + _ring.Options.RingStaleAfter - SharedRingHarness.MaxKeyRingAge, lapsed.AsOf);
        Assert.True(_ring.Clock.GetUtcNow() - lapsed.AsOf > SharedRingHarness.MaxKeyRingAge);
    }

    private byte[] Damaged(string damage, byte[] ring) => damage switch
    {
        "empty" => [],
        "truncated" => ring[..(ring.Length / 2)],
        "not a ring" => "{\"keys\":[]}"u8.ToArray(),
        "unknown version" => [.. ring[..4], 9, .. ring[5..]],
        "bad signature" => [.. ring[..^1], (byte)(ring[^1] ^ 0xFF)],
        "foreign key" => ForeignRing(),
        "malformed entry" => Resigned([.. ring[..^64][..^3]]),
        "older generation" => RingCodec.WriteRing(RingTestKeys.Ring(1, RingTestKeys.Entry("planted", TestKeys.NewValue())), _ring.Signer),
        "another prefix's ring" => ForeignScopeRing(RingTestKeys.Scope with { SecretPrefix = "otherapp-" }),
        "another vault's ring" => ForeignScopeRing(RingTestKeys.Scope with { Vault = "othervault.vault.azure.net" }),
        "unbound ring of the format before" => RingTestKeys.UnboundRing(long.MaxValue - 1, _ring.Clock.GetUtcNow(), "apikey-", _ring.Signer),
        _ => throw new ArgumentOutOfRangeException(nameof(damage)),
    };

    private static string ExpectedReason(string damage) => damage switch
    {
        "empty" => "empty",
        "truncated" => "bad_signature",
        "not a ring" => "not_a_ring",
        "unknown version" => "unknown_version",
        "bad signature" => "bad_signature",
        "foreign key" => "unknown_signing_key",
        "malformed entry" => "malformed_entry",
        "older generation" => "rollback",
        "another prefix's ring" or "another vault's ring" => "foreign",
        "unbound ring of the format before" => "unknown_version",
        _ => throw new ArgumentOutOfRangeException(nameof(damage)),
    };

    /// <summary>Another app's ring, signed with the same key (apps sharing a vault share its signing secret) at a higher generation.</summary>
    private byte[] ForeignScopeRing(RingScope scope)
    {
        var planted = RingTestKeys.Entry("planted", TestKeys.NewValue()) with { SecretName = scope.SecretPrefix + "planted" };
        return RingCodec.WriteRing(new RingDocument(long.MaxValue - 1, _ring.Clock.GetUtcNow(), scope, [planted]), _ring.Signer);
    }

    private static byte[] ForeignRing()
    {
        using var stranger = RingTestKeys.NewSigningKey();
        return RingCodec.WriteRing(RingTestKeys.Ring(long.MaxValue, RingTestKeys.Entry("planted", TestKeys.NewValue())), stranger);
    }

    private byte[] Resigned(byte[] body) =>
        [.. body, .. _ring.Signer.SignData(body, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)];
}
