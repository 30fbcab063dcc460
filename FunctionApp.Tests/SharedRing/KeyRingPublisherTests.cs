using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Tests.Storage;
using FunctionsApiKey.KeyVault;
using FunctionsApiKey.SharedRing;
using Microsoft.Extensions.Time.Testing;

namespace FunctionApp.Tests.SharedRing;

/// <summary>
/// The publisher against the real vault client (fake vault) and the real blob client (Azurite, managed identity):
/// it writes a signed ring only when the vault changed, over exactly the version it read, and carries its incremental
/// knowledge in the ring, so a run on any instance fetches only what changed.
/// </summary>
public sealed class KeyRingPublisherTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly FakeTimeProvider _vaultClock = new(DateTimeOffset.UtcNow.AddMinutes(-10));
    private FakeKeyVaultServer _vault = null!;
    private SharedRingHarness _ring = null!;

    public async Task InitializeAsync()
    {
        _vault = await FakeKeyVaultServer.StartAsync(_vaultClock);
        _ring = await SharedRingHarness.StartAsync(_vault, storage.Azurite, storage.Identity);
    }

    public async Task DisposeAsync()
    {
        await _ring.DisposeAsync();
        await _vault.DisposeAsync();
    }

    [Fact]
    public async Task TheFirstRunWritesASignedRingOfTheVaultsKeysAndAHeartbeat()
    {
        var value = TestKeys.NewValue();
        _vault.SetSecret("apikey-partner", value, tags: new Dictionary<string, string> { ["scopes"] = "reports" });
        _vault.SetSecret("apikey-misspelt", TestKeys.NewValue(), tags: new Dictionary<string, string> { ["scope"] = "reports" });
        _vault.SetSecret("unrelated", "not a key");

        Assert.Equal(PublishOutcome.Written, await _ring.Publisher().PublishAsync(CancellationToken.None));

        var ring = await ReadRingAsync();
        Assert.Equal(["partner"], ring.Keys.Select(k => k.Name));
        Assert.True(TestKeys.HasValue(ring.Keys[0], value));
        Assert.Equal(["reports"], ring.Keys[0].Scopes.ToArray());
        Assert.Equal(["apikey-misspelt", "apikey-partner"], ring.Entries.Select(e => e.SecretName));
        Assert.True(ring.Entries[0].Excluded);
        var heartbeat = await _ring.Store.ReadHeartbeatAsync(CancellationToken.None);
        Assert.Equal(RingRefusal.None, RingCodec.TryReadHeartbeat(heartbeat.Content.Span, _ring.Verifier, out var beat));
        Assert.Equal((ring.Generation, _ring.Clock.GetUtcNow()), (beat!.Generation, beat.CheckedAt));
        Assert.Equal("written", Assert.Single(_ring.Publishes.GetMeasurementSnapshot()).Tags["apikey.ring.result"]);
    }

    [Fact]
    public async Task AKeyWithoutAScopesTagIsLeftOutOfTheRingUnlessKeysWithoutScopesKeepsTheOldMeaning()
    {
        var legacy = TestKeys.NewValue();
        _vault.SetSecret("apikey-explicit", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        _vault.SetSecret("apikey-legacy", legacy);

        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var refused = await ReadRingAsync();
        var migrating = _ring.NewStore("keyring-migrating");
        await _ring.Publisher(migrating, KeysWithoutScopes.EveryFunction).PublishAsync(CancellationToken.None);
        var allowed = await ReadRingAsync(migrating);

        Assert.Equal(["explicit"], refused.Keys.Select(k => k.Name));
        Assert.True(refused.Entries.Single(e => e.SecretName == "apikey-legacy").Excluded);
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Id.Id == 31 && r.Message.StartsWith("API key legacy from keyvault skipped: it has no scopes tag", StringComparison.Ordinal));
        Assert.Equal(["explicit", "legacy"], allowed.Keys.Select(k => k.Name).Order());
        Assert.True(TestKeys.HasValue(allowed.Keys.Single(k => k.Name == "legacy"), legacy));
        Assert.All(allowed.Keys, k => Assert.Empty(k.Scopes));
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Id.Id == 32 && r.Message.StartsWith("API key legacy from keyvault has no scopes tag and may call every function", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARunWithNothingChangedWritesOnlyTheHeartbeatAndFetchesNoValue()
    {
        _vault.SetSecret("apikey-a", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        AdvanceVaultClock();
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var written = await _ring.Store.ReadRingAsync(null, CancellationToken.None);
        _vault.ClearRequests();
        _ring.Clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(PublishOutcome.Unchanged, await _ring.Publisher().PublishAsync(CancellationToken.None));

        Assert.Equal(written.ETag, (await _ring.Store.ReadRingAsync(null, CancellationToken.None)).ETag);
        Assert.Equal(1, _vault.Requests.Count(r => r.IsValueRequest));
        Assert.Contains(_vault.Requests, r => r.IsValueRequest && r.Path == $"/secrets/{SharedRingHarness.SigningSecret}");
        RingCodec.TryReadHeartbeat((await _ring.Store.ReadHeartbeatAsync(CancellationToken.None)).Content.Span, _ring.Verifier, out var beat);
        Assert.Equal(_ring.Clock.GetUtcNow(), beat!.CheckedAt);
    }

    [Fact]
    public async Task AChangeIsPublishedAsAHigherGenerationFetchingOnlyTheChangedValueEvenFromAnotherInstance()
    {
        _vault.SetSecret("apikey-a", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        _vault.SetSecret("apikey-b", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        AdvanceVaultClock();
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var first = await ReadRingAsync();
        _vault.DisableSecret("apikey-a");
        var replaced = TestKeys.NewValue();
        _vault.SetSecret("apikey-b", replaced, tags: KeyTags.EveryFunction);
        AdvanceVaultClock();
        _vault.ClearRequests();
        _ring.Clock.Advance(TimeSpan.FromSeconds(10));

        // Another instance: a new publisher with nothing in memory, only the ring in storage.
        Assert.Equal(PublishOutcome.Written, await _ring.Publisher(_ring.NewStore()).PublishAsync(CancellationToken.None));

        var second = await ReadRingAsync();
        Assert.True(second.Generation > first.Generation);
        Assert.True(second.Keys.Single(k => k.Name == "a").IsRevoked);
        Assert.True(TestKeys.HasValue(second.Keys.Single(k => k.Name == "b"), replaced));
        Assert.Equal(["/secrets/apikey-b", $"/secrets/{SharedRingHarness.SigningSecret}"], _vault.Requests.Where(r => r.IsValueRequest).Select(r => r.Path).Order());
    }

    [Fact]
    public async Task TwoPublishersRacingWriteOnceEachAndTheRingConvergesOnEveryChange()
    {
        _vault.SetSecret("apikey-a", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        AdvanceVaultClock();
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var added = TestKeys.NewValue();
        _vault.SetSecret("apikey-added", added, tags: KeyTags.EveryFunction);
        AdvanceVaultClock();
        _vault.Latency = TimeSpan.FromMilliseconds(30);

        var outcomes = await Task.WhenAll(_ring.Publisher(_ring.NewStore()).PublishAsync(CancellationToken.None), _ring.Publisher(_ring.NewStore()).PublishAsync(CancellationToken.None));

        // One wrote; the other lost the If-Match race, read the new ring and found nothing left to write.
        Assert.Contains(PublishOutcome.Written, outcomes);
        Assert.DoesNotContain(PublishOutcome.Failed, outcomes);
        Assert.DoesNotContain(PublishOutcome.Conflict, outcomes);
        var ring = await ReadRingAsync();
        Assert.True(TestKeys.HasValue(ring.Keys.Single(k => k.Name == "added"), added));
        var ringWrites = _ring.StorageRequests.Where(r => r.Method == "PUT" && r.Path.EndsWith("/keyring", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, ringWrites.Count(r => r.Status == 201));
        Assert.Single(ringWrites, r => r.Status == 412);
        Assert.Equal(PublishOutcome.Unchanged, await _ring.Publisher().PublishAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task AVaultThatThrottlesOrFailsDuringARunLeavesTheRingAsItWas(int status)
    {
        _vault.SetSecret("apikey-a", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        AdvanceVaultClock();
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var before = await _ring.Store.ReadRingAsync(null, CancellationToken.None);
        _vault.SetSecret("apikey-b", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        _vault.StartOutage(status);

        Assert.Equal(PublishOutcome.Failed, await _ring.Publisher().PublishAsync(CancellationToken.None));

        Assert.Equal(before.ETag, (await _ring.Store.ReadRingAsync(null, CancellationToken.None)).ETag);
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Message.StartsWith("Publishing the key ring failed (", StringComparison.Ordinal) && r.Message.Contains($"HTTP {status}", StringComparison.Ordinal));
        _vault.EndOutage();
        Assert.Equal(PublishOutcome.Written, await _ring.Publisher().PublishAsync(CancellationToken.None));
        Assert.Equal(["a", "b"], (await ReadRingAsync()).Keys.Select(k => k.Name));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AVaultOutOfReachFailsTheRunAsRingPublishFailedNamingTheVault(bool resetting)
    {
        // One retry, so the SDK ends with an AggregateException, which used to escape the run instead of failing it.
        _vault.SetSecret("apikey-a", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        await using var proxy = new FaultProxy(_vault.Port, ProxyFault.Reset);
        var port = resetting ? proxy.Port : ClosedLoopbackPort.Next();

        Assert.Equal(PublishOutcome.Failed, await _ring.Publisher(vaultPort: port, vaultRetries: 1).PublishAsync(CancellationToken.None));

        Assert.Equal(RingReadStatus.NotFound, (await _ring.Store.ReadRingAsync(null, CancellationToken.None)).Status);
        var failed = Assert.Single(_ring.Logs.GetSnapshot(), r => r.Id.Id == 52);
        // A reset connection shows as a reset, a broken pipe or a cut TLS handshake, as the timing falls; a refused one as itself.
        Assert.StartsWith(
            $"Publishing the key ring failed (reading the signing secret '{SharedRingHarness.SigningSecret}': vault myvault.vault.azure.net unreachable: {(resetting ? "" : "network error ConnectionRefused)")}",
            failed.Message,
            StringComparison.Ordinal);
        Assert.Equal("failed", Assert.Single(_ring.Publishes.GetMeasurementSnapshot()).Tags["apikey.ring.result"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StorageOutOfReachFailsTheRunAsRingPublishFailedNamingTheStorage(bool resetting)
    {
        _vault.SetSecret("apikey-a", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        await using var proxy = new FaultProxy(storage.Azurite.BlobServiceUri.Port, ProxyFault.Reset);
        var store = resetting ? _ring.NewStore(proxy: proxy) : SharedRingHarness.DownStore();

        Assert.Equal(PublishOutcome.Failed, await _ring.Publisher(store).PublishAsync(CancellationToken.None));

        var failed = Assert.Single(_ring.Logs.GetSnapshot(), r => r.Id.Id == 52);
        var place = resetting ? $"storage devstoreaccount1/{_ring.Store.Description}" : "storage devstoreaccount1/down/keyring";
        Assert.StartsWith($"Publishing the key ring failed ({place}: {(resetting ? "" : "network error ConnectionRefused)")}", failed.Message, StringComparison.Ordinal);
        Assert.Equal("failed", Assert.Single(_ring.Publishes.GetMeasurementSnapshot()).Tags["apikey.ring.result"]);
    }

    [Fact]
    public async Task WithoutItsSigningSecretThePublisherWritesNothingAndSaysWhy()
    {
        _vault.DeleteSecret(SharedRingHarness.SigningSecret);
        _vault.SetSecret("apikey-a", TestKeys.NewValue(), tags: KeyTags.EveryFunction);

        Assert.Equal(PublishOutcome.Failed, await _ring.Publisher().PublishAsync(CancellationToken.None));

        Assert.Equal(FunctionsApiKey.SharedRing.RingReadStatus.NotFound, (await _ring.Store.ReadRingAsync(null, CancellationToken.None)).Status);
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Message.Contains("the signing secret 'keyring-signing-key' is not in the vault", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASigningKeyInstancesWouldNotTrustIsNotUsed()
    {
        using var stranger = RingTestKeys.NewSigningKey();
        _vault.SetSecret(SharedRingHarness.SigningSecret, stranger.ExportPkcs8PrivateKeyPem());
        _vault.SetSecret("apikey-a", TestKeys.NewValue(), tags: KeyTags.EveryFunction);

        Assert.Equal(PublishOutcome.Failed, await _ring.Publisher().PublishAsync(CancellationToken.None));

        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Message.Contains("is not among ApiKeys:RingVerificationKeys", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARingInStorageThatCannotBeTrustedIsReplacedWithAHigherGeneration()
    {
        _vault.SetSecret("apikey-a", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        using var stranger = RingTestKeys.NewSigningKey();
        var planted = RingTestKeys.Ring(long.MaxValue - 1, RingTestKeys.Entry("planted", TestKeys.NewValue())) with { PublishedAt = _ring.Clock.GetUtcNow() };
        Assert.True(await _ring.Store.TryWriteRingAsync(RingCodec.WriteRing(planted, stranger), null, CancellationToken.None));

        Assert.Equal(PublishOutcome.Written, await _ring.Publisher().PublishAsync(CancellationToken.None));

        Assert.Equal(["a"], (await ReadRingAsync()).Keys.Select(k => k.Name));
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Message.EndsWith("unknown_signing_key; keeping the keys in force", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARingOfTheFormatBeforeIsReplacedAtAHigherGenerationWhichInstancesFollow()
    {
        // An upgrade: the previous release's publisher left a ring that no instance of this one accepts. Its signed
        // generation is read, so the first run's ring is above it even when that generation is ahead of this clock.
        var value = TestKeys.NewValue();
        _vault.SetSecret("apikey-a", value, tags: KeyTags.EveryFunction);
        var previous = _ring.Clock.GetUtcNow().AddDays(1).ToUnixTimeMilliseconds();
        Assert.True(await _ring.Store.TryWriteRingAsync(RingTestKeys.UnboundRing(previous, _ring.Clock.GetUtcNow(), "apikey-", _ring.Signer), null, CancellationToken.None));
        var instance = _ring.Instance();
        Assert.True(TestKeys.HasValue(Assert.Single((await instance.LoadAsync(CancellationToken.None)).Keys!), value));
        Assert.Contains(_vault.Requests, r => r.IsListRequest);

        Assert.Equal(PublishOutcome.Written, await _ring.Publisher().PublishAsync(CancellationToken.None));

        var ring = await ReadRingAsync();
        Assert.Equal(previous + 1, ring.Generation);
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Message.EndsWith(": unknown_version; keeping the keys in force", StringComparison.Ordinal));
        _vault.ClearRequests();
        _ring.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(TestKeys.HasValue(Assert.Single((await instance.LoadAsync(CancellationToken.None)).Keys!), value));
        Assert.Empty(_vault.Requests);
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Message.StartsWith($"Following the key ring again (generation {previous + 1})", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnotherAppsRingInStorageIsReplacedWithThisAppsAtAHigherGeneration()
    {
        _vault.SetSecret("apikey-a", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        var scope = RingTestKeys.Scope with { SecretPrefix = "otherapp-" };
        var entry = RingTestKeys.Entry("b", TestKeys.NewValue()) with { SecretName = "otherapp-b" };
        var foreign = new RingDocument(_ring.Clock.GetUtcNow().AddDays(1).ToUnixTimeMilliseconds(), _ring.Clock.GetUtcNow(), scope, [entry]);
        Assert.True(await _ring.Store.TryWriteRingAsync(RingCodec.WriteRing(foreign, _ring.Signer), null, CancellationToken.None));

        Assert.Equal(PublishOutcome.Written, await _ring.Publisher().PublishAsync(CancellationToken.None));

        var ring = await ReadRingAsync();
        Assert.Equal((foreign.Generation + 1, RingTestKeys.Scope), (ring.Generation, ring.Scope));
        Assert.Equal(["a"], ring.Keys.Select(k => k.Name));
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Message.EndsWith(": foreign; keeping the keys in force", StringComparison.Ordinal));
    }

    private async Task<RingDocument> ReadRingAsync(RingStore? store = null)
    {
        var read = await (store ?? _ring.Store).ReadRingAsync(null, CancellationToken.None);
        Assert.Equal(RingRefusal.None, RingCodec.TryReadRing(read.Content.Span, _ring.Verifier, out var ring));
        return ring!;
    }

    private void AdvanceVaultClock() => _vaultClock.Advance(TimeSpan.FromSeconds(2));
}
