using System.Text.Json;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Core.FunctionMetadata;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FunctionsApiKey.Middleware;

/// <summary>
/// Stops, at startup, an app that runs ASP.NET Core integration in a way that would break it, with the fix in the
/// message: a gate registered ahead of the integration (it would see no headers, and the host would drop its answers),
/// or an HTTP function whose route the integration's router refuses (every HTTP function would then answer 500).
/// </summary>
/// <remarks>
/// The route rule is the integration's own: each HTTP function becomes the pattern <c>{routePrefix}/{route}</c>, the
/// prefix read from host.json in <c>FUNCTIONS_APPLICATION_DIRECTORY</c> (<c>api</c> when not set), untrimmed. So
/// <c>Route = "/"</c>, which serves the site root in the built-in model with an empty prefix, makes <c>//</c> here.
/// </remarks>
internal sealed class AspNetCoreIntegrationValidator(
    GatePlacement placement,
    IOptions<WorkerOptions> workerOptions,
    IConfiguration configuration,
    IFunctionMetadataProvider? metadata = null) : IValidateOptions<AspNetCoreIntegrationCheck>
{
    /// <summary>The route that serves the site root in ASP.NET Core integration: it matches only an empty path.</summary>
    public const string RootRoute = "{root:maxlength(0)?}";

    private const string DefaultRoutePrefix = "api";
    private const string AppDirectorySetting = "FUNCTIONS_APPLICATION_DIRECTORY";

    private static readonly JsonDocumentOptions HostJsonOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    public ValidateOptionsResult Validate(string? name, AspNetCoreIntegrationCheck options)
    {
        if (!AspNetCoreIntegration.IsConfigured(workerOptions.Value))
        {
            return ValidateOptionsResult.Success;
        }

        if (!placement.AfterAspNetCoreIntegration)
        {
            return ValidateOptionsResult.Fail(
                "UseApiKeyAuthentication() was called before ConfigureFunctionsWebApplication(), so the API-key gate would run before ASP.NET Core integration " +
                "hands it the request: call builder.ConfigureFunctionsWebApplication() first, then builder.UseApiKeyAuthentication().");
        }

        var failures = RefusedRoutes().ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private IEnumerable<string> RefusedRoutes()
    {
        var appDirectory = configuration[AppDirectorySetting];
        if (metadata is null || string.IsNullOrEmpty(appDirectory))
        {
            // Not under a Functions host; the integration itself fails on the first request without this setting.
            yield break;
        }

        var prefix = RoutePrefix(appDirectory);
        foreach (var function in metadata.GetFunctionMetadataAsync(appDirectory).GetAwaiter().GetResult())
        {
            if (!HttpTriggerBinding.TryRead(function, out var route))
            {
                continue;
            }

            var pattern = $"{prefix}/{route ?? function.Name}";
            string? problem = null;
            try
            {
                RoutePatternFactory.Parse(pattern);
            }
            catch (RoutePatternException ex)
            {
                problem = ex.Message;
            }

            if (problem is not null)
            {
                var fix = prefix.Length == 0 && route is "/" or ""
                    ? $"for the site root use Route = \"{RootRoute}\""
                    : "change the route, or host.json's extensions.http.routePrefix";
                yield return $"Function {function.Name}: ASP.NET Core integration maps it to the route pattern '{pattern}' (host.json's routePrefix '{prefix}' + '/' + its route), which ASP.NET Core refuses: {problem} Every HTTP function would answer 500; {fix}.";
            }
        }
    }

    private static string RoutePrefix(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "host.json");
        if (!File.Exists(path))
        {
            return DefaultRoutePrefix;
        }

        using var hostJson = JsonDocument.Parse(File.ReadAllText(path), HostJsonOptions);
        return hostJson.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix)
            && prefix.GetString() is { } value
            ? value
            : DefaultRoutePrefix;
    }
}

/// <summary>Nothing to set: the options type under which <see cref="AspNetCoreIntegrationValidator"/> runs at startup.</summary>
internal sealed class AspNetCoreIntegrationCheck;
