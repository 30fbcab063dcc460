using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Testing.Storage;
using FunctionApp.Tests.TestDoubles;
using FunctionsApiKey;
using FunctionsApiKey.KeyVault;
using FunctionsApiKey.SharedRing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace FunctionApp.Tests.SharedRing;

/// <summary>
/// The publisher and instances of the shared ring, in process, over the real clients: the SecretClient against the
/// fake vault and the BlobClient against Azurite with managed identity tokens. Every storage request is recorded, so
/// tests can count them and what they carried. One container per harness.
/// </summary>
internal sealed class SharedRingHarness : IAsyncDisposable
{
    public const string SigningSecret = "keyring-signing-key";

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly string _container = "ring-" + Guid.NewGuid().ToString("N")[..20];
    private long _bodyBytesRead;
    private Action? _afterNextNotModified;

    private SharedRingHarness(FakeKeyVaultServer vault, AzuriteServer azurite, FakeManagedIdentityEndpoint identity)
    {
        Vault = vault;
        Azurite = azurite;
        Identity = identity;
        Verifier = RingTestKeys.VerifierFor(Signer);
        Metrics = new SharedRingMetrics(_services.GetRequiredService<IMeterFactory>());
        Polls = new MetricCollector<long>(_services.GetRequiredService<IMeterFactory>(), FunctionsApiKey.ApiKeyDefaults.MeterName, "apikey.ring.polls");
        Refusals = new MetricCollector<long>(_services.GetRequiredService<IMeterFactory>(), FunctionsApiKey.ApiKeyDefaults.MeterName, "apikey.ring.refused");
        Publishes = new MetricCollector<long>(_services.GetRequiredService<IMeterFactory>(), FunctionsApiKey.ApiKeyDefaults.MeterName, "apikey.ring.publishes");
        StandIns = new MetricCollector<long>(_services.GetRequiredService<IMeterFactory>(), FunctionsApiKey.ApiKeyDefaults.MeterName, "apikey.ring.standins");
        Store = NewStore();
    }

    public FakeKeyVaultServer Vault { get; }

    public AzuriteServer Azurite { get; }

    public FakeManagedIdentityEndpoint Identity { get; }

    public ECDsa Signer { get; } = RingTestKeys.NewSigningKey();

    public RingVerifier Verifier { get; }

    /// <summary>Whole milliseconds, as the ring records times.</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

    public FakeLogCollector Logs { get; } = new();

    public SharedRingMetrics Metrics { get; }

    public MetricCollector<long> Polls { get; }

    public MetricCollector<long> Refusals { get; }

    public MetricCollector<long> Publishes { get; }

    public MetricCollector<long> StandIns { get; }

    public SharedRingOptions Options { get; } = new()
    {
        RingPollInterval = TimeSpan.FromSeconds(5),
        RingStaleAfter = TimeSpan.FromMinutes(1),
        RingSigningSecret = SigningSecret,
        PublishSchedule = "*/10 * * * * *",
    };

    /// <summary>The instances' ApiKeys:MaxKeyRingAge (the default).</summary>
    public static TimeSpan MaxKeyRingAge { get; } = TimeSpan.FromDays(1);

    /// <summary>Every storage request so far: method, blob path, status and response body length.</summary>
    public ConcurrentQueue<StorageRequest> StorageRequests { get; } = new();

    /// <summary>The response body bytes the clients have read so far, from the transport: what a download really cost.</summary>
    public long BodyBytesRead => Interlocked.Read(ref _bodyBytesRead);

    public RingStore Store { get; }

    /// <summary>Runs once, right after the next 304 any store of this harness receives: a write racing a poll.</summary>
    public Action? AfterNextNotModified { get => _afterNextNotModified; set => _afterNextNotModified = value; }

    public static async Task<SharedRingHarness> StartAsync(FakeKeyVaultServer vault, AzuriteServer azurite, FakeManagedIdentityEndpoint identity)
    {
        var harness = new SharedRingHarness(vault, azurite, identity);
        vault.SetSecret(SigningSecret, harness.Signer.ExportPkcs8PrivateKeyPem());
        return harness;
    }

    /// <param name="blobName">The ring's blob; "keyring" by default.</param>
    /// <param name="proxy">A proxy in front of Azurite to go through, and with it the SDK's network timeout of 1 s.</param>
    public RingStore NewStore(string? blobName = null, FaultProxy? proxy = null)
    {
        var options = new BlobClientOptions { Transport = new CountingTransport(Azurite.CreateTransport(), this), Retry = { MaxRetries = 0 } };
        options.AddPolicy(new Recorder(this), HttpPipelinePosition.PerRetry);
        var serviceUri = Azurite.BlobServiceUri;
        if (proxy is not null)
        {
            serviceUri = new UriBuilder(serviceUri) { Port = proxy.Port }.Uri;
            options.Retry.NetworkTimeout = TimeSpan.FromSeconds(1);
        }

        var blobs = new BlobServiceClient(serviceUri, new IdentityEndpointCredential(Identity), options);
        return new RingStore(blobs.GetBlobContainerClient(_container), blobName ?? "keyring", Options.RingStorageTimeout);
    }

    /// <param name="store">The ring's store; <see cref="Store"/> by default.</param>
    /// <param name="withoutScopes">The vault's ApiKeys:KeysWithoutScopes.</param>
    /// <param name="vaultPort">A loopback port to reach the vault through instead of its own (see <see cref="FakeKeyVaultClient.Create"/>).</param>
    /// <param name="vaultRetries">The vault client's retries of a failed request.</param>
    /// <param name="declared">The key properties the publisher's app declares.</param>
    public KeyRingPublisher Publisher(RingStore? store = null, KeysWithoutScopes withoutScopes = KeysWithoutScopes.Refuse, int? vaultPort = null, int vaultRetries = 0, IEnumerable<ApiKeyProperty>? declared = null) => new(
        store ?? Store, Verifier, Loader(withoutScopes, vaultPort, vaultRetries, declared), FakeKeyVaultClient.Create(Vault, vaultRetries, port: vaultPort), Options, RingTestKeys.Scope, Clock, Metrics, TestLogging.Factory(Logs).CreateLogger("publisher"));

    /// <param name="store">The ring's store; <see cref="Store"/> by default.</param>
    /// <param name="vaultPort">A loopback port to reach the vault through instead of its own.</param>
    /// <param name="vaultRetries">The vault client's retries of a failed request.</param>
    /// <param name="declared">The key properties the instance's app declares.</param>
    public SharedRingApiKeySource Instance(RingStore? store = null, int? vaultPort = null, int vaultRetries = 0, IEnumerable<ApiKeyProperty>? declared = null) => new(
        store ?? Store, Verifier, Loader(vaultPort: vaultPort, vaultRetries: vaultRetries, declared: declared), Publisher(store, vaultPort: vaultPort, vaultRetries: vaultRetries, declared: declared), Options, RingTestKeys.Scope, new FunctionsApiKey.ApiKeyOptions { RefreshInterval = TimeSpan.FromMinutes(5), MaxKeyRingAge = MaxKeyRingAge }, Clock, Metrics, TestLogging.Factory(Logs).CreateLogger("instance"));

    public KeyVaultKeyLoader Loader(KeysWithoutScopes withoutScopes = KeysWithoutScopes.Refuse, int? vaultPort = null, int vaultRetries = 0, IEnumerable<ApiKeyProperty>? declared = null) => new(
        FakeKeyVaultClient.Create(Vault, vaultRetries, port: vaultPort),
        new KeyVaultApiKeyOptions { KeyVaultUri = FakeKeyVaultClient.VaultUri, KeysWithoutScopes = withoutScopes },
        TestLogging.Factory(Logs).CreateLogger("vault"),
        declared ?? []);

    /// <summary>A store whose storage account does not answer: the blob endpoint of a loopback port nothing listens on.</summary>
    public static RingStore DownStore()
    {
        var options = new BlobClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(2) } };
        var blobs = new BlobServiceClient(new Uri($"https://127.0.0.1:{ClosedLoopbackPort.Next()}/devstoreaccount1"), new Azure.AzureSasCredential("sv=2026&sig=none"), options);
        return new RingStore(blobs.GetBlobContainerClient("down"), "keyring", TimeSpan.FromSeconds(2));
    }

    public async ValueTask DisposeAsync()
    {
        Polls.Dispose();
        Refusals.Dispose();
        Publishes.Dispose();
        StandIns.Dispose();
        Verifier.Dispose();
        Signer.Dispose();
        await _services.DisposeAsync();
    }

    internal sealed record StorageRequest(string Method, string Path, int Status, long ResponseBytes);

    /// <summary>Counts the body bytes read through each response, below the client's own buffering.</summary>
    private sealed class CountingTransport(HttpPipelineTransport inner, SharedRingHarness harness) : HttpPipelineTransport
    {
        public override Request CreateRequest() => inner.CreateRequest();

        public override void Process(HttpMessage message)
        {
            inner.Process(message);
            Count(message);
        }

        public override async ValueTask ProcessAsync(HttpMessage message)
        {
            await inner.ProcessAsync(message);
            Count(message);
        }

        private void Count(HttpMessage message)
        {
            if (message.Response.ContentStream is { } body)
            {
                message.Response.ContentStream = new CountingStream(body, read => Interlocked.Add(ref harness._bodyBytesRead, read));
            }
        }
    }

    private sealed class CountingStream(Stream inner, Action<int> counted) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Counted(int read)
        {
            counted(read);
            return read;
        }
    }

    private sealed class Recorder(SharedRingHarness harness) : HttpPipelineSynchronousPolicy
    {
        public override void OnReceivedResponse(HttpMessage message)
        {
            var length = message.Response.Headers.ContentLength ?? 0;
            harness.StorageRequests.Enqueue(new StorageRequest(message.Request.Method.ToString(), message.Request.Uri.Path, message.Response.Status, length));
            if (message.Response.Status == 304 && Interlocked.Exchange(ref harness._afterNextNotModified, null) is { } action)
            {
                action();
            }
        }
    }
}
