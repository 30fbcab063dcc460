using FunctionsApiKey.Redis;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// Beside UseApiKeyAuthentication, in the namespace of FunctionsApplicationBuilder, so Program.cs needs no using.
namespace Microsoft.Azure.Functions.Worker.Builder;

/// <summary>Shares rate limits across the app's instances through Redis.</summary>
public static class ApiKeyAuthenticationBuilderRedisExtensions
{
    /// <summary>
    /// Counts each key's and owner's rate limit across all instances in Redis: <c>ApiKeys__Redis__Endpoint</c>
    /// (Azure Managed Redis, as the app's managed identity) or <c>ApiKeys__Redis__ConnectionString</c> (a local
    /// server). Instances take budget in batches on a background loop and admit requests from what they hold, so no
    /// request waits on Redis. With neither setting the limits stay per instance, with the startup warning that says
    /// so; both, or a value that does not read, stop the app at startup naming the setting. If Redis fails, each
    /// instance counts on its own until it answers again, with one warning per outage. Calling it again adds nothing
    /// but <paramref name="configure"/>.
    /// </summary>
    /// <param name="builder">The builder <c>UseApiKeyAuthentication()</c> returned.</param>
    /// <param name="configure">Changes to the options after they are read from configuration.</param>
    /// <returns>The builder.</returns>
    public static ApiKeyAuthenticationBuilder AddRedisRateLimits(this ApiKeyAuthenticationBuilder builder, Action<RedisRateLimitOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<RedisRateLimitOptions>)))
        {
            var section = builder.Configuration.GetSection(RedisRateLimitDefaults.SectionName);
            services.AddOptions<RedisRateLimitOptions>().Bind(section).ValidateOnStart();
            services.AddSingleton<IValidateOptions<RedisRateLimitOptions>, RedisRateLimitOptionsValidator>();
            services.AddAzureClientsCore();

            // The Microsoft.Extensions.Azure conventions, as for the vault: ApiKeys:Redis:ClientId (or AZURE_CLIENT_ID)
            // for a user-assigned identity; with nothing set, DefaultAzureCredential.
            services.TryAddSingleton(provider => new RedisCredential(
                provider.GetRequiredService<AzureComponentFactory>().CreateTokenCredential(provider.GetRequiredService<IConfiguration>().GetSection(RedisRateLimitDefaults.SectionName))));
            builder.AddRateLimitBudgetStore<RedisBudgetStore>();
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return builder;
    }
}
