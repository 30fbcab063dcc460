using FunctionsApiKey;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.KeySources;
using FunctionsApiKey.Middleware;
using FunctionsApiKey.Policies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// In the namespace of FunctionsApplicationBuilder, as the worker's own extensions are, so Program.cs needs no using.
namespace Microsoft.Azure.Functions.Worker.Builder;

/// <summary>Adds the API-key gate to a Functions app.</summary>
public static class FunctionsApplicationBuilderApiKeyExtensions
{
    /// <summary>
    /// Gates every HTTP-triggered function behind an API key in the <c>api-key</c> header, unless the function is
    /// marked with ASP.NET Core's <c>[AllowAnonymous]</c>: registers the middleware and everything it needs together, so
    /// neither can be forgotten. Keys come from application settings (<c>ApiKeys__Keys__&lt;name&gt;</c>) unless the
    /// returned builder adds another source. Settings are read from the <c>ApiKeys</c> section and checked at startup.
    /// Calling it again adds nothing but the <paramref name="configure"/> callback. Call it before other middleware, so
    /// nothing runs ahead of the gate, and, in an app with ASP.NET Core integration, after
    /// <c>ConfigureFunctionsWebApplication()</c>: the app stops at startup, saying so, if it comes first.
    /// </summary>
    /// <param name="builder">The app's builder.</param>
    /// <param name="configure">Changes to the options after they are read from configuration.</param>
    /// <returns>A builder to choose where keys come from.</returns>
    public static ApiKeyAuthenticationBuilder UseApiKeyAuthentication(this FunctionsApplicationBuilder builder, Action<ApiKeyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (!services.Any(d => d.ServiceType == typeof(GatePlacement)))
        {
            services.AddSingleton(new GatePlacement(AspNetCoreIntegration.IsRegistered(services)));
            services.AddOptions<AspNetCoreIntegrationCheck>().ValidateOnStart();
            services.AddSingleton<IValidateOptions<AspNetCoreIntegrationCheck>, AspNetCoreIntegrationValidator>();
            services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyDefaults.SectionName).ValidateOnStart();
            services.AddSingleton<IValidateOptions<ApiKeyOptions>, ApiKeyOptionsValidator>();
            services.TryAddSingleton(TimeProvider.System);
            services.AddMetrics();
            services.AddSingleton<KeyRingProvider>();
            services.AddSingleton<ApiKeyMetrics>();
            services.AddSingleton<FunctionPolicyCatalog>();
            services.AddSingleton<IFunctionScopes>(provider => provider.GetRequiredService<FunctionPolicyCatalog>());
            services.AddSingleton<PolicyBook>();
            services.AddHostedService<KeyRingRefresher>();

            // The built-in policies are declared like any key property, so every source reads them with no further call.
            foreach (var property in ApiKeyPolicies.All)
            {
                services.AddSingleton(property);
            }

            services.AddSingleton(KeySourceSelector.Select);
            services.AddSingleton<SettingsApiKeySource>();
            services.AddSingleton(new KeySourceRegistration(KeySourceSelector.Settings, typeof(SettingsApiKeySource)));
            services.AddSingleton<IValidateOptions<ApiKeyOptions>, SettingsKeysValidator>();
            services.AddOptions<KeySourceCheck>().ValidateOnStart();
            services.AddSingleton<IValidateOptions<KeySourceCheck>, KeySourceValidator>();
            builder.UseMiddleware<ApiKeyMiddleware>();
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return new ApiKeyAuthenticationBuilder(services, builder.Configuration);
    }
}
