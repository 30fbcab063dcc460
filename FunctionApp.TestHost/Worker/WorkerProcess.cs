using System.Diagnostics;

namespace FunctionApp.TestHost.Worker;

/// <summary>
/// The FunctionApp worker as a child process, started the way the Functions host starts a .NET isolated worker.
/// Its console output goes to the host log; disposing it always ends its whole process tree.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<string> _lastLines = new();

    private WorkerProcess(Process process) => _process = process;

    /// <summary>The process id; still readable once the process has exited and been disposed.</summary>
    public int Id { get; private set; }

    /// <summary>Completes with the exit code when the process ends, for whatever reason.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>The last lines the worker wrote to its console, to explain a failed start.</summary>
    public IReadOnlyList<string> LastLines
    {
        get
        {
            lock (_lastLines)
            {
                return [.. _lastLines];
            }
        }
    }

    /// <param name="appDirectory">The FunctionApp build output.</param>
    /// <param name="grpcUri">The host's gRPC endpoint.</param>
    /// <param name="workerId">The id the worker sends back in <c>StartStream</c>.</param>
    /// <param name="environment">The worker's whole environment.</param>
    /// <param name="log">Where its console output goes.</param>
    public static WorkerProcess Start(string appDirectory, Uri grpcUri, string workerId, IReadOnlyDictionary<string, string> environment, HostLog log)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])
        [
            Path.Combine(appDirectory, "FunctionApp.dll"),
            "--functions-uri", grpcUri.ToString(),
            "--functions-worker-id", workerId,
            "--functions-request-id", Guid.NewGuid().ToString(),
            "--functions-grpc-max-message-length", int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => worker.OnLine(e.Data, log);
        process.ErrorDataReceived += (_, e) => worker.OnLine(e.Data, log);
        process.Exited += (_, _) => worker._exited.TrySetResult(process.ExitCode);
        process.Start();
        worker.Id = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Waits up to <paramref name="grace"/> for the process to exit by itself, then kills its tree.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        try
        {
            await Exited.WaitAsync(grace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Kill();
            try
            {
                await Exited.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Killed but not yet reaped; disposing goes on so the host's own resources are still released.
            }
        }
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Exited.IsCompleted)
        {
            Kill();
            try
            {
                await Exited.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Reported by whoever checks for orphans; nothing more can be done from here.
            }
        }

        _process.Dispose();
    }

    private void OnLine(string? line, HostLog log)
    {
        if (line is null)
        {
            return;
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > 20)
            {
                _lastLines.Dequeue();
            }
        }

        log.WorkerConsole(line);
    }
}
