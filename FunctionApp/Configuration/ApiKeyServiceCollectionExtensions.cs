using Azure.Security.KeyVault.Secrets;
using FunctionApp.Diagnostics;
using FunctionApp.KeyRing;
using FunctionApp.KeySources;
using FunctionApp.Middleware;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionApp.Configuration;

/// <summary>Registers the API-key gate and its key source.</summary>
internal static class ApiKeyServiceCollectionExtensions
{
    /// <summary>The <c>ApiKeys</c> subsection bound to <see cref="SecretClientOptions"/> (retries, timeouts).</summary>
    public const string KeyVaultClientSection = "KeyVaultClient";

    /// <summary>Log categories of the Azure SDK that are quiet (Warning) unless configuration says otherwise.</summary>
    public static readonly string[] AzureSdkLogCategories = ["Azure.Core", "Azure.Identity"];

    /// <summary>
    /// Adds the key ring, its refresher and the middleware's services. Keys come from Key Vault when
    /// <c>ApiKeys:KeyVaultUri</c> is set, else from <c>ApiKeys:Keys</c> in settings.
    /// </summary>
    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(ApiKeyOptions.SectionName);
        services.AddOptions<ApiKeyOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiKeyOptions>, ApiKeyOptionsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<KeyRingProvider>();
        services.AddSingleton<ApiKeyMetrics>();
        services.AddSingleton<FunctionPolicyCatalog>();
        services.AddSingleton<IFunctionScopes>(provider => provider.GetRequiredService<FunctionPolicyCatalog>());
        services.AddHostedService<KeyRingRefresher>();

        if (string.IsNullOrEmpty(section[nameof(ApiKeyOptions.KeyVaultUri)]))
        {
            services.AddSingleton<IApiKeySource, SettingsApiKeySource>();
            return services;
        }

        services.AddAzureClients(clients => clients
            .AddClient<SecretClient, SecretClientOptions>((clientOptions, credential, provider) =>
                new SecretClient(provider.GetRequiredService<IOptions<ApiKeyOptions>>().Value.KeyVaultUri!, credential, clientOptions))
            // The Microsoft.Extensions.Azure conventions: ApiKeys:Credential=managedidentity (with ApiKeys:ClientId for a
            // user-assigned identity) in Azure; with neither, DefaultAzureCredential, i.e. developer credentials locally.
            .WithCredential(provider => provider.GetRequiredService<AzureComponentFactory>().CreateTokenCredential(section))
            .ConfigureOptions(section.GetSection(KeyVaultClientSection)));
        services.AddSingleton<IApiKeySource, KeyVaultApiKeySource>();
        services.Configure<LoggerFilterOptions>(DefaultAzureSdkLogsToWarning);
        return services;
    }

    /// <summary>
    /// The Azure SDK logs two multi-line Information records per vault request (about 80 for an unchanged refresh of
    /// 1,000 keys), each shipped to the host. These rules go first, so that any rule from configuration for the same
    /// category (e.g. <c>Logging__LogLevel__Azure.Core=Information</c>) comes later and wins.
    /// </summary>
    private static void DefaultAzureSdkLogsToWarning(LoggerFilterOptions options)
    {
        foreach (var category in AzureSdkLogCategories)
        {
            options.Rules.Insert(0, new LoggerFilterRule(providerName: null, category, LogLevel.Warning, filter: null));
        }
    }
}
