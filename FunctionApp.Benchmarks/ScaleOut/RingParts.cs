using Azure.Storage.Blobs;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Testing.Storage;
using FunctionsApiKey;
using FunctionsApiKey.KeyVault;
using FunctionsApiKey.SharedRing;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionApp.Benchmarks.ScaleOut;

/// <summary>
/// The shared ring's real parts as each simulated instance gets its own: storage and vault clients (the vault's with
/// the SDK's retry delays, so a 429 costs what it would), a verifier, a loader and a publisher, all of one app.
/// </summary>
internal sealed class RingParts(FakeKeyVaultServer vault, AzuriteServer azurite, SharedRingOptions options, SharedRingMetrics metrics)
{
    public RingScope Scope { get; } = RingScope.Of(new KeyVaultApiKeyOptions { KeyVaultUri = FakeKeyVaultClient.VaultUri });

    /// <param name="traffic">Counts the requests of this store's client, when given.</param>
    public RingStore Store(StorageTraffic? traffic = null)
    {
        var clientOptions = new BlobClientOptions { Transport = azurite.CreateTransport() };
        if (traffic is not null)
        {
            clientOptions.AddPolicy(traffic, Azure.Core.HttpPipelinePosition.PerRetry);
        }

        return new(new BlobServiceClient(azurite.ConnectionString, clientOptions).GetBlobContainerClient(options.RingContainer), options.RingBlobName, options.RingStorageTimeout);
    }

    public RingVerifier Verifier() => new([RingKeys.TryReadPublicKey(options.RingVerificationKeys ?? string.Empty, out var key) ? key : throw new InvalidOperationException()]);

    public KeyVaultKeyLoader Loader() => new(FakeKeyVaultClient.Create(vault, sdkRetryDelays: true), new KeyVaultApiKeyOptions { KeyVaultUri = FakeKeyVaultClient.VaultUri }, NullLogger.Instance);

    public KeyRingPublisher Publisher(RingStore store, RingVerifier verifier) =>
        new(store, verifier, Loader(), FakeKeyVaultClient.Create(vault, sdkRetryDelays: true), options, Scope, TimeProvider.System, metrics, NullLogger.Instance);

    /// <summary>An instance's key source, as the app builds it, with the default RefreshInterval and MaxKeyRingAge.</summary>
    public SharedRingApiKeySource Instance(RingStore store, RingVerifier verifier) =>
        new(store, verifier, Loader(), Publisher(store, verifier), options, Scope, new ApiKeyOptions(), TimeProvider.System, metrics, NullLogger.Instance);
}
