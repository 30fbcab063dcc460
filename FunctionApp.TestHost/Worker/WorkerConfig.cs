using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FunctionApp.TestHost.Worker;

/// <summary>
/// How to start an app's isolated worker, read from the <c>worker.config.json</c> its build wrote, as the Functions
/// host reads it: the worker SDK's <c>FunctionMetadataLoader</c> extension makes the app folder the worker directory
/// and resolves <c>{WorkerRoot}</c> in the executable; the host's <c>RpcWorkerConfigFactory</c> and
/// <c>RpcWorkerDescription</c> add the arguments, resolve the worker path against the worker directory and insist that
/// it exists; its <c>DefaultWorkerProcessFactory</c> and <c>RpcWorkerContext</c> build the command line.
/// </summary>
/// <param name="ConfigFile">The worker.config.json it was read from, for messages.</param>
/// <param name="Language">The description's <c>language</c>.</param>
/// <param name="WorkerDirectory">The app folder, which is also where the host runs the worker.</param>
/// <param name="ExecutablePath">What to start: <c>dotnet</c> (found on the PATH), or a self-contained app's own executable.</param>
/// <param name="ExecutableArguments">The description's <c>arguments</c>, then the app setting <c>languageWorkers__&lt;language&gt;__arguments</c>.</param>
/// <param name="WorkerPath">The worker assembly, absolute; null when the description names none.</param>
internal sealed record WorkerConfig(
    string ConfigFile,
    string Language,
    string WorkerDirectory,
    string ExecutablePath,
    IReadOnlyList<string> ExecutableArguments,
    string? WorkerPath)
{
    public const string FileName = "worker.config.json";

    /// <summary>Replaced by the app folder in <c>defaultExecutablePath</c>; the SDK writes it for self-contained builds.</summary>
    private const string WorkerRootToken = "{WorkerRoot}";

    /// <summary>Replaced by the worker directory in <c>arguments</c>.</summary>
    private const string WorkerDirectoryToken = "{workerDirectoryPath}";

    /// <summary>The host's <c>RpcWorkerConstants.DefaultMaxMessageLengthBytes</c>; without it the worker cannot send a message.</summary>
    private static readonly string MaxMessageLength = int.MaxValue.ToString(CultureInfo.InvariantCulture);

    private static readonly JsonDocumentOptions JsonOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Reads <c>worker.config.json</c> from <paramref name="appDirectory"/>.</summary>
    /// <param name="appDirectory">The app's build output, absolute.</param>
    /// <param name="environment">The worker's environment, which holds the app settings the host reads.</param>
    /// <exception cref="FileNotFoundException">The file, the executable under <c>{WorkerRoot}</c> or the worker path does not exist.</exception>
    /// <exception cref="InvalidOperationException">The file is not what the host accepts.</exception>
    public static WorkerConfig Load(string appDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var path = Path.Combine(appDirectory, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"{path} does not exist. The Functions host starts an isolated worker as that file says, and the build of an app that uses "
                + "Microsoft.Azure.Functions.Worker.Sdk writes it next to the app's assembly: build the app first (dotnet build), or pass --app <the app's build output folder>.",
                path);
        }

        JsonElement description;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), JsonOptions);
            description = document.RootElement.PropertyIgnoringCase("description") is { ValueKind: JsonValueKind.Object } found
                ? found.Clone()
                : throw Invalid(path, "has no \"description\" object");
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{path} is not valid JSON: {ex.Message}", ex);
        }

        var language = RequiredString(description, "language", path);
        var executable = RequiredString(description, "defaultExecutablePath", path);

        // The host only starts the worker whose language FUNCTIONS_WORKER_RUNTIME names (RpcWorkerConfigFactory.ShouldAddWorkerConfig).
        if (environment.TryGetValue("FUNCTIONS_WORKER_RUNTIME", out var runtime) && runtime.Length > 0 && !runtime.Equals(language, StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid(path, $"describes a '{language}' worker, but FUNCTIONS_WORKER_RUNTIME is '{runtime}': the host would start no worker for this app");
        }

        var workerDirectory = appDirectory;
        var executablePath = ResolveExecutable(executable, workerDirectory, path, environment);
        var arguments = StringArray(description, "arguments", path);

        // The host splits this setting on whitespace; a leading or trailing space gives empty entries, which vanish from
        // its one-string command line and must not become empty arguments here.
        if (environment.TryGetValue($"languageWorkers__{language}__arguments", out var fromSettings))
        {
            arguments.AddRange(Regex.Split(fromSettings, @"\s+").Where(a => a.Length > 0));
        }

        // As the host's DefaultWorkerProcessFactory: %NAME% in an argument takes the variable's value, the directories
        // the host gives the worker included, and a name that is not set is dropped.
        var variables = new Dictionary<string, string>(environment, StringComparer.Ordinal)
        {
            [WorkerProcess.WorkerDirectoryVariable] = workerDirectory,
            ["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory,
        };
        var expanded = arguments.Select(a => Expand(a.Replace(WorkerDirectoryToken, workerDirectory, StringComparison.Ordinal), variables, dropUnknown: true)).ToList();

        // "workerArguments" is read by the host for HTTP custom handlers only; an RPC worker's command line leaves it out.
        return new WorkerConfig(path, language, workerDirectory, executablePath, expanded, ResolveWorkerPath(description, workerDirectory, path));
    }

    /// <summary>
    /// Everything after the executable, in the host's order: the executable's arguments, the worker path, then the
    /// switches that tell the worker where the host is. The host sends each switch twice, under its old name and with
    /// the <c>functions-</c> prefix that current workers read.
    /// </summary>
    public IReadOnlyList<string> Arguments(Uri grpcUri, string workerId, string requestId)
    {
        ArgumentNullException.ThrowIfNull(grpcUri);
        var port = grpcUri.Port.ToString(CultureInfo.InvariantCulture);
        return
        [
            .. ExecutableArguments,
            .. WorkerPath is null ? Array.Empty<string>() : [WorkerPath],
            "--host", grpcUri.Host,
            "--port", port,
            "--workerId", workerId,
            "--requestId", requestId,
            "--grpcMaxMessageLength", MaxMessageLength,
            "--functions-uri", grpcUri.AbsoluteUri,
            "--functions-worker-id", workerId,
            "--functions-request-id", requestId,
            "--functions-grpc-max-message-length", MaxMessageLength,
        ];
    }

    /// <summary>
    /// <c>{WorkerRoot}name</c> is the app folder's <c>name</c> (<c>name.exe</c> on Windows), which must exist, as the
    /// <c>FunctionMetadataLoader</c> checks; anything else is taken as written, with environment variables expanded, so
    /// <c>dotnet</c> is found on the PATH.
    /// </summary>
    private static string ResolveExecutable(string executable, string workerDirectory, string path, IReadOnlyDictionary<string, string> environment)
    {
        if (!executable.Contains(WorkerRootToken, StringComparison.Ordinal))
        {
            return Expand(executable, environment, dropUnknown: false);
        }

        var name = executable.Replace(WorkerRootToken, string.Empty, StringComparison.Ordinal);
        if (name.Length == 0)
        {
            throw Invalid(path, $"has a defaultExecutablePath '{executable}' that names no file after {WorkerRootToken}");
        }

        var resolved = Path.Combine(workerDirectory, name);
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && !resolved.EndsWith(".exe", StringComparison.OrdinalIgnoreCase))
        {
            resolved += ".exe";
        }

        return File.Exists(resolved)
            ? resolved
            : throw new FileNotFoundException($"{path} has the defaultExecutablePath '{executable}', but {resolved} does not exist.", resolved);
    }

    /// <summary>A relative worker path is relative to the worker directory, and the host refuses one that does not exist.</summary>
    private static string? ResolveWorkerPath(JsonElement description, string workerDirectory, string path)
    {
        if (description.PropertyIgnoringCase("defaultWorkerPath") is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var workerPath = element.ValueKind == JsonValueKind.String ? element.GetString()! : throw Invalid(path, "has a defaultWorkerPath that is not a string");
        var resolved = workerPath.Length > 0 && !Path.IsPathRooted(workerPath) ? Path.Combine(workerDirectory, workerPath) : workerPath;
        return File.Exists(resolved)
            ? resolved
            : throw new FileNotFoundException($"{path} has the defaultWorkerPath '{workerPath}', but {(resolved.Length > 0 ? resolved : "that")} does not exist: build the app, or correct the file.", resolved);
    }

    private static string Expand(string text, IReadOnlyDictionary<string, string> environment, bool dropUnknown) =>
        Regex.Replace(text, "%([^%]+)%", match =>
            environment.TryGetValue(match.Groups[1].Value, out var value) ? value : dropUnknown ? string.Empty : match.Value);

    private static string RequiredString(JsonElement description, string name, string path) =>
        description.PropertyIgnoringCase(name) is { ValueKind: JsonValueKind.String } value && value.GetString() is { Length: > 0 } text
            ? text
            : throw Invalid(path, $"has no \"{name}\" in its description; the host requires it");

    private static List<string> StringArray(JsonElement description, string name, string path)
    {
        if (description.PropertyIgnoringCase(name) is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        return element.ValueKind == JsonValueKind.Array && element.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
            ? [.. element.EnumerateArray().Select(e => e.GetString()!)]
            : throw Invalid(path, $"has a \"{name}\" that is not an array of strings");
    }

    private static InvalidOperationException Invalid(string path, string problem) => new($"{path} {problem}.");
}
