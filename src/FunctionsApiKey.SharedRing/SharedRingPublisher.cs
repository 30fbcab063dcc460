using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using Azure.Storage.Blobs;
using FunctionsApiKey.KeyVault;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsApiKey.SharedRing;

/// <summary>
/// One publisher run from outside the app, with the app's own publisher code and settings: what <c>dotnet apikeys</c>
/// does right after it changes a key, so that instances take the change at their next poll rather than at the timer's
/// next run. The write is conditional on the ring it read, as the timer's is, so the two never roll each other back.
/// It needs what the timer needs: the signing secret (Key Vault Secrets User or Officer) and write access to the
/// ring's container (Storage Blob Data Contributor).
/// </summary>
public sealed class SharedRingPublisher : IDisposable
{
    private readonly RingVerifier _verifier;
    private readonly Meter _meter;
    private readonly KeyRingPublisher _publisher;

    private SharedRingPublisher(RingVerifier verifier, Meter meter, KeyRingPublisher publisher)
    {
        _verifier = verifier;
        _meter = meter;
        _publisher = publisher;
    }

    /// <summary>
    /// Whether the app these settings configure takes its keys from the shared ring: <c>ApiKeys:KeySource</c> names
    /// <c>sharedring</c>. (An app can also choose it in code, which settings cannot show.)
    /// </summary>
    /// <param name="settings">The app's settings, as the Functions host gives them to the app.</param>
    public static bool IsNamedIn(IConfiguration settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return string.Equals(settings[$"{ApiKeyDefaults.SectionName}:{nameof(ApiKeyOptions.KeySource)}"], SharedRingDefaults.KeySource, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A publisher for the ring the app's <paramref name="settings"/> describe, checked as the app checks them.</summary>
    /// <param name="settings">The app's settings: the <c>ApiKeys</c> section and the ring's storage connection.</param>
    /// <param name="vault">The app's vault, with the vault settings as the app reads them.</param>
    /// <param name="vaultOptions">The app's vault settings.</param>
    /// <param name="credential">The identity for a storage connection by identity (one without a connection string).</param>
    /// <param name="declaredProperties">The key properties the app declares; a key property tag outside them is not carried into the ring.</param>
    /// <param name="logger">Where the run says what it did, or why it failed.</param>
    /// <exception cref="OptionsValidationException">The settings are not what the app would start with; the message names each setting.</exception>
    public static SharedRingPublisher Create(
        IConfiguration settings,
        SecretClient vault,
        KeyVaultApiKeyOptions vaultOptions,
        TokenCredential credential,
        IEnumerable<ApiKeyProperty> declaredProperties,
        ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(vaultOptions);
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(declaredProperties);
        ArgumentNullException.ThrowIfNull(logger);

        var options = new SharedRingOptions();
        settings.GetSection(ApiKeyDefaults.SectionName).Bind(options);
        if (new SharedRingOptionsValidator(settings).Validate(null, options) is { Failed: true } invalid)
        {
            throw new OptionsValidationException(nameof(SharedRingOptions), typeof(SharedRingOptions), invalid.Failures);
        }

        var blobs = RingStore.CreateServiceClient(settings.GetSection(options.RingConnection), credential, new BlobClientOptions());
        var verifier = RingVerifier.Of(options);
        var meter = new Meter(ApiKeyDefaults.MeterName);
        var publisher = new KeyRingPublisher(
            new RingStore(blobs.GetBlobContainerClient(options.RingContainer), options.RingBlobName, options.RingStorageTimeout),
            verifier,
            new KeyVaultKeyLoader(vault, vaultOptions, logger, declaredProperties),
            vault,
            options,
            RingScope.Of(vaultOptions),
            TimeProvider.System,
            new SharedRingMetrics(meter),
            logger);
        return new SharedRingPublisher(verifier, meter, publisher);
    }

    /// <summary>Publishes a new generation if the vault's keys differ from the ring's, and a heartbeat either way.</summary>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>What the run did; a failure's reason went to the logger.</returns>
    public async Task<SharedRingPublishResult> PublishAsync(CancellationToken cancellationToken) =>
        await _publisher.PublishAsync(cancellationToken).ConfigureAwait(false) switch
        {
            PublishOutcome.Written => SharedRingPublishResult.Written,
            PublishOutcome.Unchanged => SharedRingPublishResult.Unchanged,
            PublishOutcome.Conflict => SharedRingPublishResult.Conflict,
            _ => SharedRingPublishResult.Failed,
        };

    /// <inheritdoc/>
    public void Dispose()
    {
        _verifier.Dispose();
        _meter.Dispose();
    }
}

/// <summary>What one run of <see cref="SharedRingPublisher"/> did.</summary>
public enum SharedRingPublishResult
{
    /// <summary>A new generation is in storage.</summary>
    Written,

    /// <summary>The ring already held the vault's keys; its heartbeat was renewed.</summary>
    Unchanged,

    /// <summary>Other writers changed the ring on every try; one of them holds the vault's keys, or the timer will.</summary>
    Conflict,

    /// <summary>The vault or storage failed; the reason went to the logger.</summary>
    Failed,
}
