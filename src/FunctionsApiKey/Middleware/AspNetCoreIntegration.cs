using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsApiKey.Middleware;

/// <summary>
/// What the gate needs to know of the worker's ASP.NET Core integration (package
/// <c>Microsoft.Azure.Functions.Worker.Extensions.Http.AspNetCore</c>, <c>ConfigureFunctionsWebApplication()</c>),
/// without referencing it: the names below are that package's, stable since 1.0 and checked by the packaging tests
/// against the real package.
/// </summary>
/// <remarks>
/// In that model the host forwards each HTTP request to the worker's own Kestrel, and gRPC carries an empty request.
/// The integration's proxying middleware pairs the two and puts the real <see cref="HttpContext"/> in the invocation's
/// items; only middleware after it sees the request's headers, and only an answer written there reaches the caller.
/// </remarks>
internal static class AspNetCoreIntegration
{
    /// <summary>The worker capability the integration sets to its Kestrel's address; the host forwards HTTP there.</summary>
    public const string HttpUriCapability = "HttpUri";

    /// <summary>The <see cref="FunctionContext.Items"/> key under which the proxying middleware puts the <see cref="HttpContext"/>.</summary>
    private const string HttpContextKey = "HttpRequestContext";

    /// <summary>The integration's middleware that pairs an invocation with its forwarded request.</summary>
    private const string ProxyingMiddleware = "Microsoft.Azure.Functions.Worker.Extensions.Http.AspNetCore.FunctionsHttpProxyingMiddleware";

    /// <summary>Whether <c>ConfigureFunctionsWebApplication()</c> has registered its proxying middleware in <paramref name="services"/> yet.</summary>
    public static bool IsRegistered(IServiceCollection services) =>
        services.Any(d => d.ServiceType.FullName == ProxyingMiddleware);

    /// <summary>Whether the worker runs the integration: it advertises the address the host forwards requests to.</summary>
    public static bool IsConfigured(WorkerOptions options) => options.Capabilities.ContainsKey(HttpUriCapability);

    /// <summary>The forwarded request's context, once the proxying middleware has paired it with the invocation.</summary>
    public static bool TryGetHttpContext(FunctionContext context, [NotNullWhen(true)] out HttpContext? httpContext)
    {
        httpContext = context.Items.TryGetValue(HttpContextKey, out var item) ? item as HttpContext : null;
        return httpContext is not null;
    }
}
