using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Tests.SharedRing;
using FunctionsApiKey.KeyVault;
using FunctionsApiKey.SharedRing;
using FunctionsApiKey;
using Xunit.Abstractions;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// What write access to the ring's storage can do to the real worker: put another app's validly signed ring there, or
/// an older ring of this app with its old heartbeat. The worker follows the ring as in Azure; the publisher runs when
/// a test invokes it, so nothing repairs the blobs before the instances read them.
/// </summary>
public sealed class SharedRingTrustEndToEndTests(ManuallyPublishedRingWorkerFixture worker, ITestOutputHelper output) : IClassFixture<ManuallyPublishedRingWorkerFixture>
{
    private const string RefusedLine = "Refused the key ring in functionsapikey/keyring: ";
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task AnotherAppsRingSignedWithTheSameKeyIsRefusedByRunningAndFreshInstances()
    {
        await PublishAsync();
        Assert.Equal(200, await worker.CallUntilAsync(worker.Key, 200, Propagation));

        // App A shares the vault (prefix appa-) and so the default signing secret. Its ring and heartbeat, at a
        // higher generation, are copied over this app's.
        var otherKey = TestKeys.NewValue();
        var now = DateTimeOffset.UtcNow;
        var scope = new RingScope("myvault.vault.azure.net", "appa-");
        var entry = new VaultEntry("appa-partner", now, true, ApiKey.FromValue("partner", otherKey), false);
        var ring = RingCodec.WriteRing(new RingDocument(now.ToUnixTimeMilliseconds() + 60_000, now, scope, [entry]), worker.Signer);
        var heartbeat = RingCodec.WriteHeartbeat(new RingHeartbeat(now.ToUnixTimeMilliseconds() + 60_000, RingCodec.Digest(ring), now), worker.Signer);
        try
        {
            await PutBackAsync(ring, heartbeat);

            await worker.Log.WaitForAsync(l => l.Contains(RefusedLine + "foreign", StringComparison.Ordinal), Propagation);
            Assert.Equal(401, await worker.CallAsync(otherKey));
            Assert.Equal(200, await worker.CallAsync(worker.Key));

            // A fresh instance finds only the foreign ring: it reads the vault, and A's key stays out there too.
            await using var fresh = await worker.StartInstanceAsync();
            Assert.Equal(200, await SecureEndpoint.CallUntilAsync(fresh.Client, worker.Key, 200, Propagation));
            Assert.Equal(401, await SecureEndpoint.CallAsync(fresh.Client, otherKey));
            Assert.Contains(fresh.Log.Lines, l => l.Contains(RefusedLine + "foreign", StringComparison.Ordinal));
        }
        finally
        {
            // The publisher replaces the foreign ring with this app's, above its generation.
            await PublishAsync();
        }

        Assert.Equal(200, await worker.CallUntilAsync(worker.Key, 200, Propagation));
        Assert.Equal(401, await worker.CallAsync(otherKey));
    }

    [Fact]
    public async Task AFreshInstanceRefusesAKeyRevokedSinceTheOlderRingPutBackInStorageWithTheVaultUp()
    {
        var (revoked, oldRing, oldHeartbeat, confirmedAt) = await RevokeAfterSavingTheRingAsync();

        // The ring alone put back: the heartbeat names a newer generation, so a fresh instance knows it was rolled back.
        await PutBackAsync(oldRing, heartbeat: null);
        await using (var fresh = await worker.StartInstanceAsync())
        {
            Assert.Equal(200, await SecureEndpoint.CallUntilAsync(fresh.Client, worker.Key, 200, Propagation));
            Assert.Equal(401, await SecureEndpoint.CallAsync(fresh.Client, revoked));
            Assert.Contains(fresh.Log.Lines, l => l.Contains(RefusedLine + "rollback", StringComparison.Ordinal));
        }

        // The ring and its old heartbeat put back: nothing in storage tells them from the current ring, so the fresh
        // instance trusts them for RingStaleAfter past that heartbeat at most, then reads the vault.
        await PutBackAsync(oldRing, oldHeartbeat);
        await using (var fresh = await worker.StartInstanceAsync())
        {
            Assert.Equal(200, await SecureEndpoint.CallUntilAsync(fresh.Client, worker.Key, 200, Propagation));
            var deadline = confirmedAt + ManuallyPublishedRingWorkerFixture.StaleAfter + TimeSpan.FromSeconds(5);
            Assert.Equal(401, await SecureEndpoint.CallUntilAsync(fresh.Client, revoked, 401, deadline - DateTimeOffset.UtcNow));
            output.WriteLine($"The revoked key was refused {(DateTimeOffset.UtcNow - confirmedAt).TotalSeconds:F1} s after the old ring's last confirmation (RingStaleAfter {ManuallyPublishedRingWorkerFixture.StaleAfter.TotalSeconds} s).");
        }

        await PublishAsync();
    }

    [Fact]
    public async Task WithTheVaultDownAFreshInstanceGivenAnOlderRingAnswers503OnceRingStaleAfterHasPassedSinceItsConfirmation()
    {
        var (revoked, oldRing, oldHeartbeat, confirmedAt) = await RevokeAfterSavingTheRingAsync();
        await PutBackAsync(oldRing, oldHeartbeat);
        worker.Vault.StartOutage(503);
        try
        {
            await using var fresh = await worker.StartInstanceAsync();
            var until = confirmedAt + ManuallyPublishedRingWorkerFixture.StaleAfter + TimeSpan.FromSeconds(3);
            var statuses = new List<(TimeSpan Since, int Status)>();
            while (DateTimeOffset.UtcNow < until)
            {
                statuses.Add((DateTimeOffset.UtcNow - confirmedAt, await SecureEndpoint.CallAsync(fresh.Client, revoked)));
                await Task.Delay(200);
            }

            // Served at most until RingStaleAfter past the ring's signed confirmation, then 503 (not 200 up to MaxKeyRingAge).
            var lastServed = statuses.LastOrDefault(s => s.Status == 200).Since;
            output.WriteLine($"The revoked key got 200 until {lastServed.TotalSeconds:F1} s after the old ring's last confirmation, then 503 (RingStaleAfter {ManuallyPublishedRingWorkerFixture.StaleAfter.TotalSeconds} s).");
            Assert.True(lastServed <= ManuallyPublishedRingWorkerFixture.StaleAfter + TimeSpan.FromSeconds(1), $"200 at {lastServed}");
            Assert.All(statuses.Where(s => s.Since > ManuallyPublishedRingWorkerFixture.StaleAfter + TimeSpan.FromSeconds(1)), s => Assert.Equal(503, s.Status));
            Assert.Equal(503, await SecureEndpoint.CallAsync(fresh.Client, worker.Key));
        }
        finally
        {
            worker.Vault.EndOutage();
        }

        await PublishAsync();
    }

    [Fact]
    public async Task ARingOrHeartbeatOverItsSizeLimitIsRefusedUnreadAndTheKeysInForceStay()
    {
        await PublishAsync();
        Assert.Equal(200, await worker.CallUntilAsync(worker.Key, 200, Propagation));

        // Only a ring in force has a heartbeat to read: a worker still on the vault it read at start (no ring yet)
        // would refuse the garbage ring and never look at the heartbeat, as a full test run once showed.
        await FollowingTheRingAsync();
        var refusedBefore = worker.Log.Lines.Count;

        // 30 MB of garbage for the ring, over its 25.6 MB limit, and 64 KiB for the heartbeat, far over its exact size.
        // The heartbeat goes first: it is read from half of RingStaleAfter on, and at RingStaleAfter the stand-in
        // publishes over both, so the 30 MB upload must not delay it.
        var garbage = new byte[30 * 1024 * 1024];
        Random.Shared.NextBytes(garbage);
        try
        {
            await worker.RingContainer.GetBlobClient("keyring.heartbeat").UploadAsync(BinaryData.FromBytes(garbage.AsMemory(0, 64 * 1024)), overwrite: true);
            await PutBackAsync(garbage, heartbeat: null);

            await worker.Log.WaitForAsync(l => l.Contains(RefusedLine + "too_large", StringComparison.Ordinal), Propagation, refusedBefore);
            Assert.Equal(200, await worker.CallAsync(worker.Key));

            // The heartbeat is read once the ring's confirmation is half of RingStaleAfter old.
            await worker.Log.WaitForAsync(
                l => l.Contains("Refused the key ring in functionsapikey/keyring.heartbeat: too_large", StringComparison.Ordinal),
                ManuallyPublishedRingWorkerFixture.StaleAfter + Propagation,
                refusedBefore);
            Assert.Equal(200, await worker.CallAsync(worker.Key));
        }
        finally
        {
            await PublishAsync();
        }

        Assert.Equal(200, await worker.CallUntilAsync(worker.Key, 200, Propagation));
    }

    [Fact]
    public async Task ARingDatedADayAheadStillGoesStaleAfterRingStaleAfterAndTheVaultDecides()
    {
        await PublishAsync();
        Assert.Equal(200, await worker.CallUntilAsync(worker.Key, 200, Propagation));

        // The app's own ring, validly signed, one generation on and dated a day ahead, with a key the vault never had.
        using var verifier = RingTestKeys.VerifierFor(worker.Signer);
        var current = (await worker.RingContainer.GetBlobClient("keyring").DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(RingRefusal.None, RingCodec.TryReadRing(current, verifier, out var ring));
        var planted = TestKeys.NewValue();
        var dayAhead = DateTimeOffset.UtcNow.AddDays(1);
        var entry = new VaultEntry("apikey-planted", DateTimeOffset.UtcNow, true, ApiKey.FromValue("planted", planted), false);
        var ahead = ring! with { Generation = ring.Generation + 1, PublishedAt = dayAhead, Entries = [.. ring.Entries, entry] };
        var planting = DateTimeOffset.UtcNow;
        try
        {
            await PutBackAsync(RingCodec.WriteRing(ahead, worker.Signer), heartbeat: null);
            Assert.Equal(200, await worker.CallUntilAsync(planted, 200, Propagation));

            // Confirmed when it was read, not a day from now: RingStaleAfter later the worker reads the vault, which
            // has no such key.
            Assert.Equal(401, await worker.CallUntilAsync(planted, 401, ManuallyPublishedRingWorkerFixture.StaleAfter + Propagation));
            var refusedAfter = DateTimeOffset.UtcNow - planting;
            output.WriteLine($"The key of the ring dated a day ahead was refused {refusedAfter.TotalSeconds:F1} s after the ring was put in storage (RingStaleAfter {ManuallyPublishedRingWorkerFixture.StaleAfter.TotalSeconds} s).");
            Assert.True(refusedAfter >= ManuallyPublishedRingWorkerFixture.StaleAfter - TimeSpan.FromSeconds(1), $"refused after {refusedAfter}, before the ring went stale");
            Assert.Equal(200, await worker.CallAsync(worker.Key));
        }
        finally
        {
            await PublishAsync();
        }
    }

    /// <summary>
    /// Publishes a ring with a new key, saves that ring and its heartbeat as an attacker would, then disables the key in
    /// the vault and publishes again, until the running worker refuses it. Returns the key, the saved blobs, and when
    /// the saved ring was last confirmed.
    /// </summary>
    private async Task<(string Key, byte[] Ring, byte[] Heartbeat, DateTimeOffset ConfirmedAt)> RevokeAfterSavingTheRingAsync()
    {
        var key = TestKeys.NewValue();
        var secret = "apikey-replayed-" + Guid.NewGuid().ToString("N")[..8];
        worker.Vault.SetSecret(secret, key, tags: KeyTags.EveryFunction);
        await PublishAsync();
        Assert.Equal(200, await worker.CallUntilAsync(key, 200, Propagation));
        var ring = (await worker.RingContainer.GetBlobClient("keyring").DownloadContentAsync()).Value.Content.ToArray();
        var heartbeat = (await worker.RingContainer.GetBlobClient("keyring.heartbeat").DownloadContentAsync()).Value.Content.ToArray();
        using var verifier = RingTestKeys.VerifierFor(worker.Signer);
        Assert.Equal(RingRefusal.None, RingCodec.TryReadHeartbeat(heartbeat, verifier, out var beat));

        worker.Vault.DisableSecret(secret);
        await PublishAsync();
        Assert.Equal(401, await worker.CallUntilAsync(key, 401, Propagation));
        return (key, ring, heartbeat, beat!.CheckedAt);
    }

    /// <summary>
    /// Waits, for <see cref="Propagation"/> at most, until the worker follows the ring rather than the vault: its last
    /// word on the matter is "Following the key ring again", not the vault read at start or after the ring went stale
    /// (a worker that started with a ring in storage never read the vault, and follows it).
    /// </summary>
    private async Task FollowingTheRingAsync()
    {
        var deadline = DateTimeOffset.UtcNow + Propagation;
        while (true)
        {
            var lines = worker.Log.Lines;
            var onVault = lines.ToList().FindLastIndex(l => l.Contains("failed (no ring yet)", StringComparison.Ordinal) || l.Contains("reading the vault directly until the publisher is back", StringComparison.Ordinal));
            var onRing = lines.ToList().FindLastIndex(l => l.Contains("Following the key ring again", StringComparison.Ordinal));
            if (onVault < 0 || onRing > onVault)
            {
                return;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"the worker did not take the published ring within {Propagation}");
            await Task.Delay(100);
        }
    }

    private async Task PublishAsync() => Assert.True((await worker.Host.InvokeAsync("PublishKeyRing")).Succeeded);

    private async Task PutBackAsync(byte[] ring, byte[]? heartbeat)
    {
        await worker.RingContainer.GetBlobClient("keyring").UploadAsync(BinaryData.FromBytes(ring), overwrite: true);
        if (heartbeat is not null)
        {
            await worker.RingContainer.GetBlobClient("keyring.heartbeat").UploadAsync(BinaryData.FromBytes(heartbeat), overwrite: true);
        }
    }
}
