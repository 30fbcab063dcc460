using System.Globalization;
using System.Runtime.InteropServices;
using FunctionApp.TestHost;

// A stand-in for `func start` on machines without Azure Functions Core Tools:
//   dotnet run --project FunctionApp.TestHost [-- --port 7071] [--app <any isolated-worker app's build output>]
var options = new FunctionsHostOptions();
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
            break;
        case "--help" or "-h":
            Console.WriteLine("Usage: FunctionApp.TestHost [--port <n>] [--app <build output folder with worker.config.json>]");
            return 0;
        default:
            Console.Error.WriteLine($"Unknown or incomplete argument '{args[i]}'. Usage: FunctionApp.TestHost [--port <n>] [--app <folder>]");
            return 2;
    }
}

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
