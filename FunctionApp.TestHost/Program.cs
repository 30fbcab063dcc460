using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using FunctionApp.TestHost;

// A stand-in for `func start` on machines without Azure Functions Core Tools:
//   dotnet run --project FunctionApp.TestHost [-- --port 7071] [--app <any isolated-worker app's build output>]
//   func-testhost --app bin/Debug/net10.0        (the packed tool, run in the app's project folder; see README.md)
const string Usage = """
    Usage: func-testhost [--app <folder>] [--port <n>]

      --app <folder>  An isolated-worker app's build output, the folder with worker.config.json, e.g. bin/Debug/net10.0.
                      Without it: this repository's FunctionApp, from its build output.
      --port <n>      The HTTP port on 127.0.0.1: 7071 by default, 0 for any free port.

    Settings: local.settings.json is read at start from the project folder, as func start reads it from the folder it
    runs in: with --app, the current folder; without, this repository's FunctionApp/ folder. Only where that folder has
    none is the build output's copy read. A change to local.settings.json takes a restart, not a rebuild.
    """;

var options = new FunctionsHostOptions();
var appGiven = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535:
            options.Port = port;
            i++;
            break;
        case "--app" when i + 1 < args.Length:
            options.AppDirectory = args[++i];
            appGiven = true;
            break;
        case "--help" or "-h":
            Console.WriteLine(Usage);
            return 0;
        default:
            Console.Error.WriteLine($"Unknown or incomplete argument '{args[i]}'.");
            Console.Error.WriteLine(Usage);
            return 2;
    }
}

if (!appGiven && !Directory.Exists(options.AppDirectory))
{
    // Installed as a tool, the test host has no sample beside it.
    Console.Error.WriteLine($"[host] ERROR: no --app, and this repository's FunctionApp is not built at {options.AppDirectory}. Pass your app's build output: --app bin/Debug/net10.0");
    return 2;
}

options.ProjectDirectory = appGiven
    ? Environment.CurrentDirectory
    : typeof(FunctionsHostOptions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FunctionAppProjectDirectory").Value;
Console.WriteLine($"[host] Settings from {HostSettings.LocalSettingsFile(options.AppDirectory, options.ProjectDirectory) ?? "the environment only (no local.settings.json)"}");

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

FunctionsHost host;
try
{
    host = await FunctionsHost.StartAsync(options, stop.Token);
}
catch (Exception ex) when (ex is InvalidOperationException or FileNotFoundException or IOException)
{
    Console.Error.WriteLine($"[host] ERROR: {ex.Message}");
    return 1;
}

await using (host)
{
    Console.WriteLine($"[host] Listening on {host.BaseAddress} (Ctrl+C to stop)");
    var stopped = Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
    if (await Task.WhenAny(stopped, host.WorkerExited) == host.WorkerExited)
    {
        Console.Error.WriteLine($"[host] ERROR: the worker exited with code {await host.WorkerExited}; stopping.");
        return 1;
    }

    Console.WriteLine("[host] Stopping");
}

return 0;
