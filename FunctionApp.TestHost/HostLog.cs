using FunctionApp.TestHost.Rpc;

namespace FunctionApp.TestHost;

/// <summary>
/// Where the host writes what it does and what the worker logs, one line each, like func start's console.
/// Thread-safe: lines from the worker's log stream, its console and the host interleave whole.
/// </summary>
public sealed class HostLog(TextWriter writer)
{
    private readonly TextWriter _writer = TextWriter.Synchronized(writer);

    /// <summary>Writes nothing below this level of the worker's logs.</summary>
    public Microsoft.Extensions.Logging.LogLevel MinimumWorkerLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;

    public void Host(string message) => _writer.WriteLine($"[host] {message}");

    public void WorkerConsole(string line) => _writer.WriteLine($"[worker] {line}");

    internal void WorkerLog(RpcLog log)
    {
        if ((int)log.Level < (int)MinimumWorkerLevel || log.Level == RpcLog.Types.Level.None)
        {
            return;
        }

        var exception = log.Exception is { } ex ? $" {ex.Message}" : string.Empty;
        _writer.WriteLine($"[{log.Level}] {log.Category}: {log.Message}{exception}");
    }
}
