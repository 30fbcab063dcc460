using System.Diagnostics;

namespace FunctionApp.TestHost.Worker;

/// <summary>
/// An isolated worker as a child process, started as its <see cref="WorkerConfig"/> says, the way the Functions host
/// starts one. Its console output goes to the host log; disposing it always ends its whole process tree.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<string> _lastLines = new();

    private WorkerProcess(Process process) => _process = process;

    /// <summary>The variable that tells the worker its worker directory.</summary>
    public const string WorkerDirectoryVariable = "FUNCTIONS_WORKER_DIRECTORY";

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

    /// <param name="config">What to start, from the app's worker.config.json.</param>
    /// <param name="appDirectory">The app's build output, where the host runs the worker.</param>
    /// <param name="grpcUri">The host's gRPC endpoint.</param>
    /// <param name="workerId">The id the worker sends back in <c>StartStream</c>.</param>
    /// <param name="environment">The worker's whole environment.</param>
    /// <param name="log">Where its console output goes.</param>
    public static WorkerProcess Start(WorkerConfig config, string appDirectory, Uri grpcUri, string workerId, IReadOnlyDictionary<string, string> environment, HostLog log)
    {
        var start = new ProcessStartInfo(config.ExecutablePath)
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in config.Arguments(grpcUri, workerId, Guid.NewGuid().ToString()))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        // As the host's RpcWorkerProcess, beside FUNCTIONS_APPLICATION_DIRECTORY.
        start.Environment[WorkerDirectoryVariable] = config.WorkerDirectory;

        // The host's own debug line (WorkerProcess.StartProcessAsync), so a worker that does not start can be traced to its command line.
        log.Host($"Starting worker process with FileName:{start.FileName} WorkingDirectory:{start.WorkingDirectory} Arguments:{string.Join(' ', start.ArgumentList)}");

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
