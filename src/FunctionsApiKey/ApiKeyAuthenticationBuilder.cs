using FunctionsApiKey.Usage;
using FunctionsApiKey;
using FunctionsApiKey.KeySources;
using FunctionsApiKey.Policies;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Azure.Functions.Worker.Builder;

/// <summary>
/// Returned by <see cref="FunctionsApplicationBuilderApiKeyExtensions.UseApiKeyAuthentication"/> to choose where keys
/// come from. Only that call creates one, so a key source can never be registered without the gate.
/// </summary>
public sealed class ApiKeyAuthenticationBuilder
{
    internal ApiKeyAuthenticationBuilder(IServiceCollection services, IConfiguration configuration)
    {
        Services = services;
        Configuration = configuration;
    }

    /// <summary>The app's services, for packages that add a key source.</summary>
    public IServiceCollection Services { get; }

    /// <summary>The app's configuration as it stands while the app is built, e.g. to choose a source by a setting.</summary>
    public IConfiguration Configuration { get; }

    /// <summary>
    /// Loads keys from <typeparamref name="TSource"/>, a store of the app's own, while <c>ApiKeys:KeySource</c> names no
    /// other source (or names the source's <see cref="IApiKeySource.Name"/>). There is one such source: the last one
    /// added wins.
    /// </summary>
    /// <typeparam name="TSource">The source, created once by dependency injection when it is used (or as registered, if it already is).</typeparam>
    /// <returns>This builder.</returns>
    public ApiKeyAuthenticationBuilder AddSource<TSource>()
        where TSource : class, IApiKeySource =>
        Register<TSource>(name: null);

    /// <summary>
    /// Makes <typeparamref name="TSource"/> available under <paramref name="name"/>: it is used when
    /// <c>ApiKeys:KeySource</c> names it, and created only then. For packages that offer a source (Key Vault registers
    /// <c>keyvault</c>); calling it again with the same name replaces the earlier one.
    /// </summary>
    /// <typeparam name="TSource">The source, created once by dependency injection when it is used (or as registered, if it already is).</typeparam>
    /// <param name="name">The name <c>ApiKeys:KeySource</c> chooses it by (any letter case).</param>
    /// <returns>This builder.</returns>
    public ApiKeyAuthenticationBuilder AddNamedSource<TSource>(string name)
        where TSource : class, IApiKeySource
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return Register<TSource>(name);
    }

    /// <summary>
    /// Declares a key property every key source reads (settings, Key Vault tags, the shared ring) and the app's
    /// services can list as <c>IEnumerable&lt;ApiKeyProperty&gt;</c>. Adding the same declaration again adds nothing.
    /// </summary>
    /// <param name="property">The declaration.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">Another declaration with the same name (any letter case) is already added.</exception>
    public ApiKeyAuthenticationBuilder AddKeyProperty(ApiKeyProperty property)
    {
        ArgumentNullException.ThrowIfNull(property);
        var existing = ApiKeyProperty.Find(Services.Select(d => d.ImplementationInstance).OfType<ApiKeyProperty>(), property.Name);
        if (existing is null)
        {
            Services.AddSingleton(property);
        }
        else if (!ReferenceEquals(existing, property))
        {
            // Two meanings for one setting name: which one a key got would depend on registration order.
            throw new InvalidOperationException($"A key property named {existing.Name} is already declared; declare {property.Name} once.");
        }

        return this;
    }

    /// <summary>
    /// Notes, per key, the last minute in which it was allowed a request, and hands what changed to
    /// <typeparamref name="TStore"/> once a minute (and when the app stops). The request path only writes a number in
    /// memory. There is one store: the last one added wins.
    /// </summary>
    /// <typeparam name="TStore">The store, created once by dependency injection (or as registered, if it already is).</typeparam>
    /// <returns>This builder.</returns>
    public ApiKeyAuthenticationBuilder AddLastUseStore<TStore>()
        where TStore : class, ILastUseStore
    {
        Replace<ILastUseStore, TStore>();
        if (!Services.Any(d => d.ServiceType == typeof(LastUseRecorder)))
        {
            Services.AddSingleton<LastUseRecorder>();
            Services.AddHostedService<LastUseWriter>();
        }

        return this;
    }

    /// <summary>
    /// Counts, per key and UTC hour, the requests that presented it (allowed, denied, over a limit) and hands the totals
    /// that changed to <typeparamref name="TStore"/> once a minute (and when the app stops); each round also reads what
    /// the other instances allowed, so a key's or owner's quota holds across instances, give or take a minute of
    /// traffic (docs/how-it-works.md). The request path only bumps numbers in memory. There is one store: the last one
    /// added wins.
    /// </summary>
    /// <typeparam name="TStore">The store, created once by dependency injection (or as registered, if it already is).</typeparam>
    /// <returns>This builder.</returns>
    public ApiKeyAuthenticationBuilder AddUsageStore<TStore>()
        where TStore : class, IUsageStore
    {
        Replace<IUsageStore, TStore>();
        if (!Services.Any(d => d.ServiceType == typeof(UsageRecorder)))
        {
            Services.AddSingleton<UsageRecorder>();
            Services.AddHostedService<UsageWriter>();
        }

        return this;
    }

    /// <summary>
    /// Shares every key's and owner's rate limit across the app's instances through <typeparamref name="TStore"/>: each
    /// instance takes budget in batches on a background loop, ahead of need, and admits requests from what it holds,
    /// so a request never waits on the store. While the store fails, each instance counts alone and says so. There is
    /// one store: the last one added wins.
    /// </summary>
    /// <typeparam name="TStore">The store, created once by dependency injection (or as registered, if it already is).</typeparam>
    /// <returns>This builder.</returns>
    public ApiKeyAuthenticationBuilder AddRateLimitBudgetStore<TStore>()
        where TStore : class, IRateLimitBudgetStore
    {
        Replace<IRateLimitBudgetStore, TStore>();
        if (!Services.Any(d => d.ServiceType == typeof(SharedRateLimits)))
        {
            Services.AddSingleton<SharedRateLimits>();
            Services.AddHostedService<RateLimitBudgetRefiller>();
        }

        return this;
    }

    /// <summary>
    /// For packages that add an Azure SDK client: defaults the Azure SDK's <c>Azure.Core</c> and <c>Azure.Identity</c>
    /// log categories to Warning, because they log two multi-line Information records per request (about 80 for an
    /// unchanged refresh of 1,000 vault keys), each shipped to the host. Configuration for the same category (e.g.
    /// <c>Logging__LogLevel__Azure.Core=Information</c>) still wins. Calling it again adds nothing.
    /// </summary>
    /// <returns>This builder.</returns>
    public ApiKeyAuthenticationBuilder DefaultAzureSdkLogsToWarning()
    {
        if (!Services.Any(d => d.ImplementationInstance is AzureSdkLogDefaults))
        {
            Services.AddSingleton<IConfigureOptions<LoggerFilterOptions>>(new AzureSdkLogDefaults());
        }

        return this;
    }

    private ApiKeyAuthenticationBuilder Register<TSource>(string? name)
        where TSource : class, IApiKeySource
    {
        var replaced = Services.Where(d => d.ImplementationInstance is KeySourceRegistration r && string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
        foreach (var descriptor in replaced)
        {
            Services.Remove(descriptor);
        }

        Services.TryAddSingleton<TSource>();
        Services.AddSingleton(new KeySourceRegistration(name, typeof(TSource)));
        return this;
    }

    // There is one service of each kind: the last one added wins, created once (or as registered, if it already is).
    private void Replace<TService, TImplementation>()
        where TService : class
        where TImplementation : class, TService
    {
        Services.RemoveAll<TService>();
        Services.TryAddSingleton<TImplementation>();
        Services.AddSingleton<TService>(provider => provider.GetRequiredService<TImplementation>());
    }

    /// <summary>Rules that go first, so that any rule from configuration for the same category comes later and wins.</summary>
    private sealed class AzureSdkLogDefaults : IConfigureOptions<LoggerFilterOptions>
    {
        private static readonly string[] Categories = ["Azure.Core", "Azure.Identity"];

        public void Configure(LoggerFilterOptions options)
        {
            foreach (var category in Categories)
            {
                options.Rules.Insert(0, new LoggerFilterRule(providerName: null, category, LogLevel.Warning, filter: null));
            }
        }
    }
}
