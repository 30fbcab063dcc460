using System.Collections;
using System.Text.Json;

namespace FunctionApp.TestHost;

/// <summary>
/// What the host reads from the app folder, as the Functions host and func start do: host.json's HTTP route prefix,
/// and the worker's environment (the process environment, plus local.settings.json's <c>Values</c> for names the
/// environment does not already set).
/// </summary>
internal sealed record HostSettings(string RoutePrefix, IReadOnlyDictionary<string, string> WorkerEnvironment)
{
    private const string DefaultRoutePrefix = "api";
    private const string RoutePrefixOverride = "AzureFunctionsJobHost__extensions__http__routePrefix";

    /// <summary>Whether the host's home page at <c>/</c> is turned off (<c>AzureWebJobsDisableHomepage</c>).</summary>
    public bool HomepageDisabled =>
        WorkerEnvironment.TryGetValue("AzureWebJobsDisableHomepage", out var value) && bool.TryParse(value, out var disabled) && disabled;

    public static HostSettings Load(string appDirectory, IReadOnlyDictionary<string, string?> overrides)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            environment[(string)variable.Key] = (string?)variable.Value ?? string.Empty;
        }

        foreach (var (name, value) in ReadLocalSettings(Path.Combine(appDirectory, "local.settings.json")))
        {
            environment.TryAdd(name, value);
        }

        // Like func start, the host's defaults fill only what nobody set.
        environment.TryAdd("AZURE_FUNCTIONS_ENVIRONMENT", "Development");
        environment.TryAdd("FUNCTIONS_WORKER_RUNTIME", "dotnet-isolated");

        foreach (var (name, value) in overrides)
        {
            if (value is null)
            {
                environment.Remove(name);
            }
            else
            {
                environment[name] = value;
            }
        }

        environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;

        var routePrefix = environment.TryGetValue(RoutePrefixOverride, out var prefix) ? prefix : ReadRoutePrefix(Path.Combine(appDirectory, "host.json"));
        return new HostSettings(routePrefix.Trim('/'), environment);
    }

    private static IEnumerable<KeyValuePair<string, string>> ReadLocalSettings(string path)
    {
        if (!File.Exists(path))
        {
            yield break;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!document.RootElement.TryGetProperty("Values", out var values) || values.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }

        foreach (var value in values.EnumerateObject())
        {
            yield return KeyValuePair.Create(value.Name, value.Value.ValueKind == JsonValueKind.String ? value.Value.GetString()! : value.Value.GetRawText());
        }
    }

    private static string ReadRoutePrefix(string hostJson)
    {
        if (!File.Exists(hostJson))
        {
            return DefaultRoutePrefix;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(hostJson), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return document.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix)
            && prefix.ValueKind == JsonValueKind.String
            ? prefix.GetString()!
            : DefaultRoutePrefix;
    }
}
