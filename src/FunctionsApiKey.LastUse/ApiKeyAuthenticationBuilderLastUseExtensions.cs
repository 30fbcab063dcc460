using Azure.Core;
using Azure.Data.Tables;
using FunctionsApiKey;
using FunctionsApiKey.LastUse;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

// Beside UseApiKeyAuthentication, in the namespace of FunctionsApplicationBuilder, so Program.cs needs no using.
namespace Microsoft.Azure.Functions.Worker.Builder;

/// <summary>Keeps each key's last use in Azure Table Storage.</summary>
public static class ApiKeyAuthenticationBuilderLastUseExtensions
{
    /// <summary>
    /// Notes the minute each key was last allowed a request and writes what changed to a table once a minute per
    /// instance (and when the app stops): <c>ApiKeys__LastUseTable</c> (default <c>apikeylastuse</c>) in the storage
    /// account of <c>ApiKeys__LastUseConnection</c> (default <c>AzureWebJobsStorage</c>). Requests do no I/O for it. If
    /// the table cannot be written, the times wait for the next round and a warning says why. In the same round, the
    /// requests per key and hour (allowed, denied, over a limit) go to <c>ApiKeys__UsageTable</c> (default
    /// <c>apikeyusage</c>), and quotas read from it what the other instances allowed, so they hold across instances.
    /// </summary>
    /// <param name="builder">The builder <c>UseApiKeyAuthentication()</c> returned.</param>
    /// <param name="configure">Changes to the options after they are read from configuration.</param>
    /// <returns>The builder.</returns>
    public static ApiKeyAuthenticationBuilder AddLastUseTable(this ApiKeyAuthenticationBuilder builder, Action<LastUseOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(ApiKeyDefaults.SectionName);
        var services = builder.Services;
        // The first call adds everything; each call adds its options callback after the binding, so code wins.
        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<LastUseOptions>)))
        {
            services.AddOptions<LastUseOptions>().Bind(section).ValidateOnStart();
            services.AddSingleton<IValidateOptions<LastUseOptions>, LastUseOptionsValidator>();
            services.AddAzureClients(clients => clients
                .AddClient<TableServiceClient, TableClientOptions>((clientOptions, credential, provider) =>
                    CreateClient(ConnectionSection(provider), credential, clientOptions))
                .WithName(LastUseDefaults.ClientName)
                .WithCredential(provider => provider.GetRequiredService<AzureComponentFactory>().CreateTokenCredential(ConnectionSection(provider)))
                .ConfigureOptions(RetryBriefly)
                .ConfigureOptions(section.GetSection("LastUseClient")));
            // Usage first: the host stops its services in reverse order, so last use keeps its final round as early as
            // it had before request counts existed, and the usage round, which creates its table on first use, follows.
            builder.DefaultAzureSdkLogsToWarning().AddUsageStore<TableUsageStore>().AddLastUseStore<TableLastUseStore>();
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return builder;
    }

    /// <summary>
    /// The writer tries again a minute later anyway, so the client retries once, briefly: an unreachable table then
    /// costs the app's stop a fraction of a second, not the SDK's several seconds of back-off.
    /// <c>ApiKeys__LastUseClient__Retry__*</c> still wins.
    /// </summary>
    private static void RetryBriefly(TableClientOptions options)
    {
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
    }

    private static TableServiceClient CreateClient(IConfigurationSection connection, TokenCredential credential, TableClientOptions options) =>
        StorageConnection.CreateClient(connection, "table", "ApiKeys:LastUseConnection", text => new TableServiceClient(text, options), uri => new TableServiceClient(uri, credential, options));

    private static IConfigurationSection ConnectionSection(IServiceProvider provider) =>
        provider.GetRequiredService<IConfiguration>().GetSection(provider.GetRequiredService<IOptions<LastUseOptions>>().Value.LastUseConnection);
}
