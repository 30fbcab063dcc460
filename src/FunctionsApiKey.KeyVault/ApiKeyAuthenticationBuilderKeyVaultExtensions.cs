using Azure.Security.KeyVault.Secrets;
using FunctionsApiKey;
using FunctionsApiKey.KeyVault;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// Beside UseApiKeyAuthentication, in the namespace of FunctionsApplicationBuilder, so Program.cs needs no using.
namespace Microsoft.Azure.Functions.Worker.Builder;

/// <summary>Loads API keys from Azure Key Vault.</summary>
public static class ApiKeyAuthenticationBuilderKeyVaultExtensions
{
    /// <summary>
    /// Offers the Key Vault named by <c>ApiKeys:KeyVaultUri</c> as the key source <c>keyvault</c>: every secret named
    /// <c>apikey-&lt;name&gt;</c> is one key, limited by its <c>scopes</c> tag (<c>scopes=*</c> for every function; a
    /// secret without the tag is left out, see <see cref="KeyVaultApiKeyOptions.KeysWithoutScopes"/>), revoked by
    /// disabling it and bounded by its activation and expiry dates. The vault is read with the app's managed identity in
    /// Azure (<c>ApiKeys__Credential=managedidentity</c>) and developer credentials locally. It is the source when
    /// <c>ApiKeys:KeySource</c> is <c>keyvault</c>, or, with no source named, when a vault URI is set (in configuration
    /// or by <paramref name="configure"/>); otherwise keys keep coming from settings, so one <c>Program.cs</c> serves
    /// local development and Azure alike. Configuration is read when the options are first needed; calling it again adds
    /// nothing but the <paramref name="configure"/> callback.
    /// </summary>
    /// <param name="builder">The builder <c>UseApiKeyAuthentication()</c> returned.</param>
    /// <param name="configure">Changes to the vault options after they are read from configuration.</param>
    /// <returns>The builder.</returns>
    public static ApiKeyAuthenticationBuilder AddKeyVault(this ApiKeyAuthenticationBuilder builder, Action<KeyVaultApiKeyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<KeyVaultApiKeyOptions>)))
        {
            services.AddOptions<KeyVaultApiKeyOptions>().BindConfiguration(ApiKeyDefaults.SectionName);
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KeyVaultApiKeyOptions>, KeyVaultApiKeyOptionsValidator>());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<ApiKeyOptions>, VaultAsDefaultSource>());
            services.AddAzureClients(clients => clients
                .AddClient<SecretClient, SecretClientOptions>((clientOptions, credential, provider) =>
                    new SecretClient(provider.GetRequiredService<IOptions<KeyVaultApiKeyOptions>>().Value.KeyVaultUri!, credential, clientOptions))
                .WithName(KeyVaultApiKeyDefaults.ClientName)

                // The Microsoft.Extensions.Azure conventions: ApiKeys:Credential=managedidentity (with ApiKeys:ClientId for a
                // user-assigned identity) in Azure; with neither, DefaultAzureCredential, i.e. developer credentials locally.
                .WithCredential(provider => provider.GetRequiredService<AzureComponentFactory>().CreateTokenCredential(Section(provider)))
                .ConfigureOptions((clientOptions, provider) => Section(provider).GetSection(KeyVaultApiKeyDefaults.ClientOptionsSection).Bind(clientOptions)));

            // DI gives the declared key properties; by hand only the vault's named client, the options' value and the
            // package's log category.
            services.TryAddSingleton(provider => ActivatorUtilities.CreateInstance<KeyVaultKeyLoader>(
                provider,
                provider.GetRequiredService<IAzureClientFactory<SecretClient>>().CreateClient(KeyVaultApiKeyDefaults.ClientName),
                provider.GetRequiredService<IOptions<KeyVaultApiKeyOptions>>().Value,
                provider.GetRequiredService<ILoggerFactory>().CreateLogger(KeyVaultApiKeyDefaults.LogCategory)));
            builder.DefaultAzureSdkLogsToWarning().AddNamedSource<KeyVaultApiKeySource>(KeyVaultApiKeyDefaults.KeySource);
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return builder;
    }

    private static IConfigurationSection Section(IServiceProvider provider) =>
        provider.GetRequiredService<IConfiguration>().GetSection(ApiKeyDefaults.SectionName);
}
