using System.Reflection;

namespace FunctionApp.TestHost;

/// <summary>How to start a <see cref="FunctionsHost"/>.</summary>
public sealed class FunctionsHostOptions
{
    /// <summary>
    /// The build output of an isolated-worker app: its worker.config.json says what to start, and host.json and
    /// local.settings.json are read from it. Defaults to the sample FunctionApp's build output, which the build of this
    /// project produces.
    /// </summary>
    public string AppDirectory { get; set; } = DefaultAppDirectory;

    /// <summary>
    /// The app's project folder, where func start runs: its local.settings.json, if it has one, is read instead of the
    /// copy in <see cref="AppDirectory"/>, so an edit takes effect at the next start without a rebuild. Null (the
    /// default) reads the copy only.
    /// </summary>
    public string? ProjectDirectory { get; set; }

    /// <summary>The HTTP port on 127.0.0.1; 7071 like func start, 0 for any free port.</summary>
    public int Port { get; set; } = 7071;

    /// <summary>
    /// Variables that override the worker's environment (the process environment plus local.settings.json Values).
    /// A null value removes a variable.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Environment { get; set; } = new Dictionary<string, string?>();

    /// <summary>Where the host and the worker's logs go.</summary>
    public TextWriter Log { get; set; } = Console.Out;

    /// <summary>How long the worker may take to connect and load its functions.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a stopping worker gets to exit by itself before its process tree is killed.</summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a request forwarded to an ASP.NET Core integration worker may go without progress (no response headers,
    /// no data either way) before the client gets 504: YARP's <c>ActivityTimeout</c>, which the host sets to 240 s.
    /// Internal so that tests can wait a second or two instead.
    /// </summary>
    internal TimeSpan HttpProxyActivityTimeout { get; set; } = TimeSpan.FromSeconds(240);

    public static string DefaultAppDirectory { get; } =
        typeof(FunctionsHostOptions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "FunctionAppDirectory")?.Value
        ?? Path.Combine(AppContext.BaseDirectory, "FunctionApp");
}
