using Azure.Security.KeyVault.Secrets;
using FunctionsApiKey;
using FunctionsApiKey.KeyVault;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

// Beside UseApiKeyAuthentication, in the namespace of FunctionsApplicationBuilder, so Program.cs needs no using.
namespace Microsoft.Azure.Functions.Worker.Builder;

/// <summary>Loads API keys from Azure Key Vault.</summary>
public static class ApiKeyAuthenticationBuilderKeyVaultExtensions
{
    /// <summary>
    /// Loads keys from the Key Vault named by <c>ApiKeys:KeyVaultUri</c>: every secret named <c>apikey-&lt;name&gt;</c>
    /// is one key, limited by its <c>scopes</c> tag (<c>scopes=*</c> for every function; a secret without the tag is
    /// left out, see <see cref="KeyVaultApiKeyOptions.KeysWithoutScopes"/>), revoked by disabling it and bounded by its
    /// activation and expiry dates. The vault is read with the app's managed identity in Azure (<c>ApiKeys__Credential=managedidentity</c>)
    /// and developer credentials locally. It is used when <paramref name="configure"/> is given, when
    /// <c>ApiKeys:KeySource</c> names it, or, with no key source named, when <c>ApiKeys:KeyVaultUri</c> is set; otherwise keys
    /// keep coming from settings, so one <c>Program.cs</c> serves local development and Azure alike.
    /// </summary>
    /// <param name="builder">The builder <c>UseApiKeyAuthentication()</c> returned.</param>
    /// <param name="configure">Changes to the vault options after they are read from configuration; passing it means a vault is required.</param>
    /// <returns>The builder.</returns>
    public static ApiKeyAuthenticationBuilder AddKeyVault(this ApiKeyAuthenticationBuilder builder, Action<KeyVaultApiKeyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(ApiKeyDefaults.SectionName);
        var keySource = section[nameof(ApiKeyOptions.KeySource)];
        var wanted = string.IsNullOrEmpty(keySource) ? !string.IsNullOrEmpty(section[nameof(KeyVaultApiKeyOptions.KeyVaultUri)]) : !string.Equals(keySource, "settings", StringComparison.OrdinalIgnoreCase);
        if (configure is null && !wanted)
        {
            return builder;
        }

        AddVaultClient(builder, configure);
        return builder.AddSource<KeyVaultApiKeySource>();
    }

    /// <summary>
    /// The vault's options, client and log defaults, without making the vault the key source: also what the shared ring
    /// needs to publish. Adds nothing twice.
    /// </summary>
    internal static void AddVaultClient(ApiKeyAuthenticationBuilder builder, Action<KeyVaultApiKeyOptions>? configure)
    {
        // The first call adds everything; each call adds its options callback after the binding, so code wins.
        var services = builder.Services;
        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<KeyVaultApiKeyOptions>)))
        {
            var section = builder.Configuration.GetSection(ApiKeyDefaults.SectionName);
            services.AddOptions<KeyVaultApiKeyOptions>().Bind(section).ValidateOnStart();
            services.AddSingleton<IValidateOptions<KeyVaultApiKeyOptions>, KeyVaultApiKeyOptionsValidator>();
            services.AddAzureClients(clients => clients
                .AddClient<SecretClient, SecretClientOptions>((clientOptions, credential, provider) =>
                    new SecretClient(provider.GetRequiredService<IOptions<KeyVaultApiKeyOptions>>().Value.KeyVaultUri!, credential, clientOptions))
                .WithName(KeyVaultApiKeyDefaults.ClientName)

                // The Microsoft.Extensions.Azure conventions: ApiKeys:Credential=managedidentity (with ApiKeys:ClientId for a
                // user-assigned identity) in Azure; with neither, DefaultAzureCredential, i.e. developer credentials locally.
                .WithCredential(provider => provider.GetRequiredService<AzureComponentFactory>().CreateTokenCredential(section))
                .ConfigureOptions(section.GetSection(KeyVaultApiKeyDefaults.ClientOptionsSection)));
            builder.DefaultAzureSdkLogsToWarning();
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }
    }
}
