using FunctionApp.TestHost.Rpc;

namespace FunctionApp.TestHost;

/// <summary>
/// Where the host writes what it does and what the worker logs, one line each, like func start's console.
/// Thread-safe: lines from the worker's log stream, its console and the host interleave whole. The worker's own
/// logging configuration (e.g. <c>Logging__LogLevel__FunctionApp=Debug</c>) decides which of its lines arrive.
/// </summary>
public sealed class HostLog(TextWriter writer)
{
    private readonly TextWriter _writer = TextWriter.Synchronized(writer);

    public void Host(string message) => _writer.WriteLine($"[host] {message}");

    public void WorkerConsole(string line) => _writer.WriteLine($"[worker] {line}");

    internal void WorkerLog(RpcLog log)
    {
        if (log.Level == RpcLog.Types.Level.None)
        {
            return;
        }

        var exception = log.Exception is { } ex ? $" {ex.Message}" : string.Empty;
        _writer.WriteLine($"[{log.Level}] {log.Category}: {log.Message}{exception}");
    }
}
