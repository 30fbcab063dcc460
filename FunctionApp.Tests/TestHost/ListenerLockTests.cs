using System.Threading.Channels;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using FunctionApp.TestHost;
using FunctionApp.TestHost.Singleton;
using FunctionApp.TestHost.Timers;
using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Tests.Storage;

namespace FunctionApp.Tests.TestHost;

/// <summary>
/// The listener locks, against Azurite reached as the settings say (identity-based <c>AzureWebJobsStorage</c> with the
/// managed identity endpoint and <c>SSL_CERT_FILE</c> from the host's settings, or a connection string), and in memory
/// without storage.
/// </summary>
public sealed class ListenerLockTests : IAsyncLifetime
{
    private const string LockId = "lock-test-host/Host.Functions.PublishKeyRing.Listener";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);

    private FakeAzureEnvironment _azure = null!;

    public async Task InitializeAsync() => _azure = await FakeAzureEnvironment.StartAsync(withStorage: true);

    public async Task DisposeAsync() => await _azure.DisposeAsync();

    [Fact]
    public async Task TheLockIsALeaseOnABlobUnderTheHostIdAndASecondInstanceIsRefused()
    {
        var first = ListenerLockStorage.Create(IdentityBased());
        var second = ListenerLockStorage.Create(IdentityBased());

        var held = await first.TryAcquireAsync(LockId, Lease, CancellationToken.None);
        var refused = await second.TryAcquireAsync(LockId, Lease, CancellationToken.None);

        Assert.NotNull(held);
        Assert.Null(refused);
        Assert.Equal("azure-webjobs-hosts/locks/" + LockId, first.Describe(LockId));
        var properties = (await LockBlob().GetPropertiesAsync()).Value;
        Assert.Equal(LeaseState.Leased, properties.LeaseState);
        Assert.Equal(LeaseDurationType.Fixed, properties.LeaseDuration);
        Assert.True(_azure.Identity.TokensIssuedFor(FakeManagedIdentityEndpoint.StorageResource) >= 1);
    }

    [Fact]
    public async Task AReleasedLockIsTakenAtOnceByAnotherInstance()
    {
        var first = ListenerLockStorage.Create(IdentityBased());
        var second = ListenerLockStorage.Create(IdentityBased());
        var held = (await first.TryAcquireAsync(LockId, Lease, CancellationToken.None))!;

        await held.ReleaseAsync(CancellationToken.None);

        Assert.NotNull(await second.TryAcquireAsync(LockId, Lease, CancellationToken.None));
    }

    [Fact]
    public async Task ALockTakenByAnotherHolderIsLostAtTheNextRenewal()
    {
        var first = ListenerLockStorage.Create(IdentityBased());
        var held = (await first.TryAcquireAsync(LockId, Lease, CancellationToken.None))!;
        Assert.Equal(LockRenewal.Renewed, await held.RenewAsync(CancellationToken.None));

        await LockBlob().GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
        Assert.NotNull(await ListenerLockStorage.Create(IdentityBased()).TryAcquireAsync(LockId, Lease, CancellationToken.None));

        Assert.Equal(LockRenewal.Lost, await held.RenewAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AConnectionStringReachesTheSameLocks()
    {
        var settings = new Dictionary<string, string> { ["AzureWebJobsStorage"] = _azure.Storage!.ConnectionString, ["SSL_CERT_FILE"] = _azure.CertificateFile };
        var byConnectionString = ListenerLockStorage.Create(settings);

        Assert.NotNull(await byConnectionString.TryAcquireAsync(LockId, Lease, CancellationToken.None));
        Assert.Null(await ListenerLockStorage.Create(IdentityBased()).TryAcquireAsync(LockId, Lease, CancellationToken.None));
    }

    [Fact]
    public async Task WithoutStorageTheLocksAreInMemorySoEveryHostTakesThem()
    {
        var first = ListenerLockStorage.Create(new Dictionary<string, string>());
        var second = ListenerLockStorage.Create(new Dictionary<string, string>());

        Assert.IsType<InMemoryListenerLockManager>(first);
        Assert.NotNull(await first.TryAcquireAsync(LockId, Lease, CancellationToken.None));
        Assert.NotNull(await second.TryAcquireAsync(LockId, Lease, CancellationToken.None));
        Assert.Null(await first.TryAcquireAsync(LockId, Lease, CancellationToken.None));
    }

    [Theory]
    [InlineData("AzureWebJobsStorage__credential", "azurecli")]
    [InlineData("IDENTITY_ENDPOINT", null)]
    public void AnIdentityBasedConnectionTheHostCannotSignInWithFailsNamingTheSetting(string name, string? value)
    {
        var settings = IdentityBased();
        if (value is null)
        {
            settings.Remove(name);
        }
        else
        {
            settings[name] = value;
        }

        var error = Assert.Throws<InvalidOperationException>(() => ListenerLockStorage.Create(settings));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AListenerWhoseLockIsTakenStopsItsScheduleAndTriesAgain()
    {
        var log = new LogCapture();
        var runs = Channel.CreateUnbounded<DateTimeOffset>();
        var metadata = TestFunctionMetadata.Timer("PublishKeyRing", "00:00:01");
        var timer = TimerFunction.FromMetadata(metadata, new NameResolver(new Dictionary<string, string>()), TimeZoneInfo.Utc, DateTimeOffset.UtcNow)!;
        var listener = new TimerListener(timer, (_, stopping) => runs.Writer.WriteAsync(DateTimeOffset.UtcNow, stopping).AsTask(), TimeProvider.System, new HostLog(log));
        await using var singleton = new SingletonTimerListener(listener, ListenerLockStorage.Create(IdentityBased()), "lock-test-host", new SingletonSettings(Lease, Lease), TimeProvider.System, new HostLog(log));

        singleton.Start();
        await runs.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(singleton.IsListening);
        Assert.Contains($"[host] Singleton lock acquired ({LockId})", log.Lines);

        // Another holder takes the lease: the next renewal (half the 15 s period after the last) is refused.
        await LockBlob().GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
        Assert.NotNull(await ListenerLockStorage.Create(IdentityBased()).TryAcquireAsync(LockId, Lease, CancellationToken.None));
        await log.WaitForAsync(l => l.StartsWith($"[host] Singleton lock renewal failed for blob 'azure-webjobs-hosts/locks/{LockId}' (Lost)", StringComparison.Ordinal), TimeSpan.FromSeconds(15));

        Assert.False(singleton.IsListening);
        while (runs.Reader.TryRead(out _))
        {
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(runs.Reader.TryRead(out _), "The schedule ran after the lock was lost.");
        await log.WaitForAsync(l => l == $"[host] Unable to acquire Singleton lock ({LockId}).", TimeSpan.FromSeconds(5));
    }

    private Dictionary<string, string> IdentityBased()
    {
        var settings = new Dictionary<string, string>();
        foreach (var (name, value) in _azure.PlatformEnvironment().Concat(_azure.StorageSettings()))
        {
            if (value is not null)
            {
                settings[name] = value;
            }
        }

        return settings;
    }

    private Azure.Storage.Blobs.BlobClient LockBlob() =>
        _azure.Storage!.BlobsByAccountKey().GetBlobContainerClient("azure-webjobs-hosts").GetBlobClient("locks/" + LockId);
}
