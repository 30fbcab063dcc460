using System.Collections;
using System.Text.Json;

namespace FunctionApp.TestHost;

/// <summary>
/// What the host reads from the app folder, as the Functions host and func start do: host.json's HTTP route prefix and
/// function timeout, and the worker's environment (the process environment, plus local.settings.json's <c>Values</c>
/// for names the environment does not already set). local.settings.json is the project folder's when there is one, as
/// func start reads it from the folder it runs in, so an edit needs a restart and no rebuild; else the build output's copy.
/// </summary>
/// <param name="RoutePrefix">host.json's <c>extensions.http.routePrefix</c>, as written; <c>api</c> when not set.</param>
/// <param name="FunctionTimeout">host.json's <c>functionTimeout</c>; null for no limit (<c>-1</c>).</param>
/// <param name="WorkerEnvironment">The worker's environment variables, which are also the host's own settings, as the
/// host's process environment is its worker's.</param>
/// <param name="HostId">The host id (<see cref="TestHost.HostId"/>), which names its locks in storage.</param>
/// <param name="ListenerLease">The listener lease's timings, from host.json's <c>singleton</c> section.</param>
internal sealed record HostSettings(string RoutePrefix, TimeSpan? FunctionTimeout, IReadOnlyDictionary<string, string> WorkerEnvironment, string HostId, Singleton.SingletonSettings ListenerLease)
{
    /// <summary>
    /// <c>functionTimeout</c> when it is not set, under func start and on every plan but the old Consumption plan
    /// (5 minutes there); the host's <c>ScriptJobHostOptionsSetup</c>.
    /// </summary>
    private static readonly TimeSpan DefaultFunctionTimeout = TimeSpan.FromMinutes(30);

    /// <summary>The shortest <c>functionTimeout</c> the host accepts.</summary>
    private static readonly TimeSpan MinFunctionTimeout = TimeSpan.FromSeconds(1);

    private const string LocalSettingsFileName = "local.settings.json";
    private const string DefaultRoutePrefix = "api";
    private const string RoutePrefixOverride = "AzureFunctionsJobHost__extensions__http__routePrefix";
    private const string FunctionTimeoutOverride = "AzureFunctionsJobHost__functionTimeout";

    /// <summary>Whether the host's home page at <c>/</c> is turned off (<c>AzureWebJobsDisableHomepage</c>).</summary>
    public bool HomepageDisabled =>
        WorkerEnvironment.TryGetValue("AzureWebJobsDisableHomepage", out var value) && bool.TryParse(value, out var disabled) && disabled;

    /// <param name="appDirectory">The app's build output.</param>
    /// <param name="projectDirectory">The app's project folder, whose local.settings.json wins over the build output's copy; null for the copy only.</param>
    /// <param name="overrides">Variables over the environment; a null value removes one.</param>
    public static HostSettings Load(string appDirectory, string? projectDirectory, IReadOnlyDictionary<string, string?> overrides)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            environment[(string)variable.Key] = (string?)variable.Value ?? string.Empty;
        }

        if (LocalSettingsFile(appDirectory, projectDirectory) is { } localSettings)
        {
            foreach (var (name, value) in ReadLocalSettings(localSettings))
            {
                environment.TryAdd(name, value);
            }
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

        using var hostJson = ReadHostJson(Path.Combine(appDirectory, "host.json"));
        var routePrefix = environment.TryGetValue(RoutePrefixOverride, out var prefix) ? prefix : ReadRoutePrefix(hostJson);
        // Taken as written: the host's route builder does not trim the prefix either.
        var functionTimeout = environment.TryGetValue(FunctionTimeoutOverride, out var timeout) ? timeout : ReadFunctionTimeout(hostJson);
        return new HostSettings(routePrefix, ParseFunctionTimeout(functionTimeout), environment, TestHost.HostId.Read(environment, appDirectory), Singleton.SingletonSettings.Read(hostJson, environment));
    }

    /// <summary>
    /// The one local.settings.json the worker's settings come from: the project folder's if it has one, else the build
    /// output's copy, else none. One file, never a merge, so a setting deleted from the project's file is gone at the next
    /// start even while the build output still holds it.
    /// </summary>
    public static string? LocalSettingsFile(string appDirectory, string? projectDirectory) =>
        new[] { projectDirectory, appDirectory }
            .OfType<string>()
            .Select(directory => Path.Combine(Path.GetFullPath(directory), LocalSettingsFileName))
            .FirstOrDefault(File.Exists);

    private static IEnumerable<KeyValuePair<string, string>> ReadLocalSettings(string path)
    {
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

    private static JsonDocument? ReadHostJson(string path) =>
        File.Exists(path)
            ? JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })
            : null;

    private static string ReadRoutePrefix(JsonDocument? hostJson) =>
        hostJson is not null
            && hostJson.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix)
            && prefix.ValueKind == JsonValueKind.String
            ? prefix.GetString()!
            : DefaultRoutePrefix;

    /// <summary>The raw value: host.json holds it as a string, or as a number for <c>-1</c>; null when not set.</summary>
    private static string? ReadFunctionTimeout(JsonDocument? hostJson) =>
        hostJson is not null && hostJson.RootElement.TryGetProperty("functionTimeout", out var timeout)
            ? timeout.ValueKind == JsonValueKind.String ? timeout.GetString() : timeout.GetRawText()
            : null;

    /// <summary>As the host's <c>ScriptJobHostOptionsSetup</c>: <c>-1</c> is no limit, anything under a second fails the start.</summary>
    private static TimeSpan? ParseFunctionTimeout(string? value)
    {
        if (value is null)
        {
            return DefaultFunctionTimeout;
        }

        if (!TimeSpan.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var timeout))
        {
            throw new InvalidOperationException($"host.json's functionTimeout '{value}' is not a time span; write it as hh:mm:ss, or -1 for no limit.");
        }

        if (timeout == TimeSpan.FromDays(-1))
        {
            return null;
        }

        return timeout >= MinFunctionTimeout
            ? timeout
            : throw new InvalidOperationException($"host.json's functionTimeout '{value}' is under the host's minimum of {MinFunctionTimeout}; the host would not start. Use at least 00:00:01, or -1 for no limit.");
    }
}
