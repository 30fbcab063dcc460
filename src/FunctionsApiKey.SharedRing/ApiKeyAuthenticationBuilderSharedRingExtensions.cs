using Azure.Security.KeyVault.Secrets;
using Azure.Storage.Blobs;
using FunctionsApiKey;
using FunctionsApiKey.KeyVault;
using FunctionsApiKey.SharedRing;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// Beside UseApiKeyAuthentication, in the namespace of FunctionsApplicationBuilder, so Program.cs needs no using.
namespace Microsoft.Azure.Functions.Worker.Builder;

/// <summary>Shares one signed key ring, published from Key Vault, among every instance through Blob Storage.</summary>
public static class ApiKeyAuthenticationBuilderSharedRingExtensions
{
    /// <summary>
    /// Offers the shared ring as the key source <c>sharedring</c>, used when <c>ApiKeys:KeySource</c> is
    /// <c>sharedring</c> (or, with no source named, when <paramref name="configure"/> is given): the <c>PublishKeyRing</c>
    /// timer function publishes the vault's keys to a signed blob, and every instance follows that blob instead of
    /// reading the vault, falling back to the vault itself only while the ring is stale. Adds the vault of
    /// <c>AddKeyVault()</c>, and needs its settings, a storage connection (<c>AzureWebJobsStorage</c> by default), the
    /// verification keys, and <c>ApiKeys__PublishSchedule</c>. Configuration is read when the options are first needed;
    /// calling it again adds nothing but the <paramref name="configure"/> callback.
    /// </summary>
    /// <param name="builder">The builder <c>UseApiKeyAuthentication()</c> returned.</param>
    /// <param name="configure">Changes to the options after they are read from configuration; passing it makes the shared ring the source unless another is named.</param>
    /// <returns>The builder.</returns>
    public static ApiKeyAuthenticationBuilder AddSharedKeyRing(this ApiKeyAuthenticationBuilder builder, Action<SharedRingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.AddKeyVault().Services;
        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<SharedRingOptions>)))
        {
            AddServices(services);
            builder.AddNamedSource<SharedRingApiKeySource>(SharedRingDefaults.KeySource);
        }

        if (configure is not null)
        {
            services.Configure(configure);
            services.Configure<ApiKeyOptions>(options => options.KeySource ??= SharedRingDefaults.KeySource);
        }

        return builder;
    }

    private static void AddServices(IServiceCollection services)
    {
        services.AddOptions<SharedRingOptions>().BindConfiguration(ApiKeyDefaults.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SharedRingOptions>, SharedRingOptionsValidator>());
        services.AddAzureClients(clients => clients
            .AddClient<BlobServiceClient, BlobClientOptions>((clientOptions, credential, provider) =>
                RingStore.CreateServiceClient(ConnectionSection(provider), credential, clientOptions))
            .WithName(SharedRingDefaults.ClientName)
            .WithCredential(provider => provider.GetRequiredService<AzureComponentFactory>().CreateTokenCredential(ConnectionSection(provider)))
            .ConfigureOptions(RetryWithinTimeout)
            .ConfigureOptions((clientOptions, provider) =>
                provider.GetRequiredService<IConfiguration>().GetSection(ApiKeyDefaults.SectionName).GetSection("RingClient").Bind(clientOptions)));

        // DI builds each part from the others, with ActivatorUtilities as Microsoft.Extensions.Http builds a typed client
        // (given its HttpClient, the rest from DI): given here is only what is no service, the options' values, the
        // vault's named client and the package's log category. One loader (AddKeyVault's) serves the publisher and the vault fallback, so a key allowed for lack
        // of a scopes tag is named once.
        services.TryAddSingleton<SharedRingMetrics>();
        services.TryAddSingleton(provider => RingVerifier.Of(RingOptions(provider)));
        services.TryAddSingleton(provider => RingScope.Of(provider.GetRequiredService<IOptions<KeyVaultApiKeyOptions>>().Value));
        services.TryAddSingleton(provider =>
        {
            var options = RingOptions(provider);
            var container = provider.GetRequiredService<IAzureClientFactory<BlobServiceClient>>().CreateClient(SharedRingDefaults.ClientName).GetBlobContainerClient(options.RingContainer);
            return new RingStore(container, options.RingBlobName, options.RingStorageTimeout);
        });
        services.TryAddSingleton(provider => ActivatorUtilities.CreateInstance<KeyRingPublisher>(provider, VaultClient(provider), RingOptions(provider), Logger(provider)));
        services.TryAddSingleton(provider => ActivatorUtilities.CreateInstance<SharedRingApiKeySource>(provider, RingOptions(provider), provider.GetRequiredService<IOptions<ApiKeyOptions>>().Value, Logger(provider)));
    }

    /// <summary>
    /// The SDK's default, four tries of up to 100 s each, would outlast RingStorageTimeout (which ends every call anyway)
    /// many times over: three quick tries instead, none longer than the timeout, so a reset connection is retried within
    /// it. <c>ApiKeys:RingClient:Retry</c> still overrides them.
    /// </summary>
    private static void RetryWithinTimeout(BlobClientOptions clientOptions, IServiceProvider provider)
    {
        clientOptions.Retry.MaxRetries = 2;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(200);
        clientOptions.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        clientOptions.Retry.NetworkTimeout = RingOptions(provider).RingStorageTimeout;
    }

    private static IConfigurationSection ConnectionSection(IServiceProvider provider) =>
        provider.GetRequiredService<IConfiguration>().GetSection(RingOptions(provider).RingConnection);

    private static SharedRingOptions RingOptions(IServiceProvider provider) => provider.GetRequiredService<IOptions<SharedRingOptions>>().Value;

    private static SecretClient VaultClient(IServiceProvider provider) =>
        provider.GetRequiredService<IAzureClientFactory<SecretClient>>().CreateClient(KeyVaultApiKeyDefaults.ClientName);

    private static ILogger Logger(IServiceProvider provider) => provider.GetRequiredService<ILoggerFactory>().CreateLogger(SharedRingDefaults.LogCategory);
}
