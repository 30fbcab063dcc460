using System.Security.Cryptography;
using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Tests.Storage;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.SharedRing;
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
    public async Task AnInstanceStartsFromThePublishedRingWithOneReadAndNoVaultRequest()
    {
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        _vault.ClearRequests();
        _ring.StorageRequests.Clear();

        var loaded = await _ring.Instance().LoadAsync(CancellationToken.None);

        Assert.True(TestKeys.HasValue(Assert.Single(loaded.Keys!), _value));
        Assert.Equal(_ring.Clock.GetUtcNow(), loaded.AsOf);
        Assert.Equal(["GET 200"], _ring.StorageRequests.Select(r => $"{r.Method} {r.Status}"));
        Assert.Empty(_vault.Requests);
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

    public static TheoryData<string> Damage => ["empty", "truncated", "not a ring", "unknown version", "bad signature", "foreign key", "malformed entry", "older generation"];

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
        var loaded = await _ring.Instance(DownStore()).LoadAsync(CancellationToken.None);

        Assert.True(TestKeys.HasValue(Assert.Single(loaded.Keys!), _value));
        Assert.Contains(_ring.Logs.GetSnapshot(), r => r.Message.StartsWith("Reading the key ring from ", StringComparison.Ordinal));
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
    public async Task WithTheVaultDownAndTheRingStaleAtStartTheRingServesAndAgesFromItsLastConfirmation()
    {
        await _ring.Publisher().PublishAsync(CancellationToken.None);
        var publishedAt = _ring.Clock.GetUtcNow();
        _ring.Clock.Advance(TimeSpan.FromMinutes(10));
        _vault.StartOutage(503);

        var loaded = await _ring.Instance().LoadAsync(CancellationToken.None);

        Assert.Single(loaded.Keys!);
        Assert.Equal(publishedAt, loaded.AsOf);
    }

    [Fact]
    public async Task ARingDatedAheadOfThisClockCountsAsConfirmedWhenReadSoItStillAges()
    {
        var ahead = RingTestKeys.Ring(1, RingTestKeys.Entry("partner", _value)) with { PublishedAt = _ring.Clock.GetUtcNow().AddDays(1) };
        Assert.True(await _ring.Store.TryWriteRingAsync(RingCodec.WriteRing(ahead, _ring.Signer), null, CancellationToken.None));
        _vault.StartOutage(503);
        var instance = _ring.Instance();
        var readAt = _ring.Clock.GetUtcNow();

        var loaded = await instance.LoadAsync(CancellationToken.None);

        Assert.True(TestKeys.HasValue(Assert.Single(loaded.Keys!), _value));
        Assert.Equal(readAt, loaded.AsOf);

        // Past RingStaleAfter, with the vault down too, the keys in force still age from the read, so MaxKeyRingAge ends them.
        _ring.Clock.Advance(TimeSpan.FromSeconds(61));
        var later = await instance.LoadAsync(CancellationToken.None);
        Assert.Null(later.Keys);
        Assert.Equal(readAt, later.AsOf);
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
        _ => throw new ArgumentOutOfRangeException(nameof(damage)),
    };

    private static byte[] ForeignRing()
    {
        using var stranger = RingTestKeys.NewSigningKey();
        return RingCodec.WriteRing(RingTestKeys.Ring(long.MaxValue, RingTestKeys.Entry("planted", TestKeys.NewValue())), stranger);
    }

    private byte[] Resigned(byte[] body) =>
        [.. body, .. _ring.Signer.SignData(body, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)];

    /// <summary>A store whose storage account does not answer: the blob endpoint of a loopback port nothing listens on.</summary>
    private static RingStore DownStore()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var options = new Azure.Storage.Blobs.BlobClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(2) } };
        var blobs = new Azure.Storage.Blobs.BlobServiceClient(new Uri($"https://127.0.0.1:{port}/devstoreaccount1"), new Azure.AzureSasCredential("sv=2026&sig=none"), options);
        return new RingStore(blobs.GetBlobContainerClient("down"), "keyring");
    }
}
