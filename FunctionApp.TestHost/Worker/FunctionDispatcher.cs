using FunctionApp.TestHost.Protocol;
using FunctionApp.TestHost.Rpc;

namespace FunctionApp.TestHost.Worker;

/// <summary>
/// Hands out the worker that runs invocations, and replaces it as the host's <c>RpcFunctionInvocationDispatcher</c>
/// does: after a function timeout the timed-out worker's process tree is killed; a worker that exits by itself (a crash)
/// is replaced too. The new worker is started, initialised and given the same functions to load (the host asks a
/// restarted worker for no metadata). Requests that arrive meanwhile wait for the new worker, as the host holds them
/// while its dispatcher restarts. A crash counts as a worker error: at the third within 30 minutes the host recycles
/// itself (here: gives up, so <see cref="Lost"/> completes and the program exits, as a recycled host process would).
/// A timeout restarts the worker without counting as an error.
/// </summary>
internal sealed class FunctionDispatcher : IAsyncDisposable
{
    private readonly IReadOnlyCollection<RpcFunctionMetadata> _functions;
    private readonly Func<WorkerSession> _startWorker;
    private readonly TimeSpan _startupTimeout;
    private readonly TimeSpan _shutdownGracePeriod;
    private readonly HostLog _log;
    private readonly TaskCompletionSource<int> _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly Queue<DateTimeOffset> _errors = new();
    private readonly TimeProvider _time = TimeProvider.System;
    private WorkerSession _current;
    private Task<WorkerSession> _ready;
    private bool _disposed;

    /// <param name="first">The worker the host started with, its functions loaded.</param>
    /// <param name="functions">The functions it loaded, to load into each replacement.</param>
    /// <param name="startWorker">Starts a new worker process.</param>
    /// <param name="options">Its startup timeout and shutdown grace period.</param>
    /// <param name="log">The host log.</param>
    public FunctionDispatcher(WorkerSession first, IReadOnlyCollection<RpcFunctionMetadata> functions, Func<WorkerSession> startWorker, FunctionsHostOptions options, HostLog log)
    {
        _functions = functions;
        _startWorker = startWorker;
        _startupTimeout = options.StartupTimeout;
        _shutdownGracePeriod = options.ShutdownGracePeriod;
        _log = log;
        _current = first;
        _ready = Task.FromResult(first);
        Watch(first);
    }

    /// <summary>The process id of the worker serving requests; after a restart, the new worker's once it has loaded its functions.</summary>
    public int ProcessId => Volatile.Read(ref _current).Process.Id;

    /// <summary>
    /// Completes with the last worker's exit code once no worker serves and none will start: one exited by itself, a
    /// restart failed, or the dispatcher was disposed. A worker killed to be replaced after a timeout does not complete it.
    /// </summary>
    public Task<int> Lost => _lost.Task;

    /// <summary>The worker to invoke; while a restart is under way, the restart that brings it (it fails if the restart does).</summary>
    public Task<WorkerSession> GetWorkerAsync() => Volatile.Read(ref _ready);

    /// <summary>
    /// Replaces <paramref name="timedOut"/>, in which invocation <paramref name="invocationId"/> outlasted the function
    /// timeout and its grace period. Invocations that time out together in one worker share one restart.
    /// </summary>
    /// <exception cref="WorkerUnavailableException">The new worker did not start.</exception>
    public Task RestartAfterTimeoutAsync(WorkerSession timedOut, string invocationId)
    {
        lock (_gate)
        {
            if (_disposed || !ReferenceEquals(_current, timedOut))
            {
                return Task.CompletedTask;
            }

            if (_ready.IsCompleted)
            {
                // The host's own log line (WebScriptHostExceptionHandler).
                _ready = RestartAsync(timedOut, $"A function timeout has occurred. Restarting worker process executing invocationId '{invocationId}'.", "after a function timeout");
            }

            return _ready;
        }
    }

    /// <summary>Kills the worker's process tree without asking it to stop, and starts no other.</summary>
    public ValueTask KillAsync() => EndAsync(graceful: false);

    /// <summary>Asks the worker to stop (<c>WorkerTerminate</c>), kills its process tree after the grace period, and starts no other.</summary>
    public ValueTask DisposeAsync() => EndAsync(graceful: true);

    private async ValueTask EndAsync(bool graceful)
    {
        Task<WorkerSession> ready;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            ready = _ready;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await ready.ConfigureAwait(false);
        }
        catch (WorkerUnavailableException)
        {
            // A restart that failed or was cut short has disposed its own worker.
        }

        var worker = Volatile.Read(ref _current);
        if (graceful)
        {
            await worker.StopAsync(_shutdownGracePeriod).ConfigureAwait(false);
        }

        await worker.DisposeAsync().ConfigureAwait(false);
        _lost.TrySetResult(worker.Process.Exited.IsCompleted ? worker.Process.Exited.Result : -1);
        _stopping.Dispose();
    }

    /// <summary>Replaces <paramref name="old"/>, logging <paramref name="reason"/> first; <paramref name="after"/> completes the failure message.</summary>
    private async Task<WorkerSession> RestartAsync(WorkerSession old, string reason, string after)
    {
        _log.Host(reason);
        await old.DisposeAsync().ConfigureAwait(false);

        WorkerSession? next = null;
        try
        {
            next = _startWorker();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(_startupTimeout);
            await next.InitializeAsync(timeout.Token).ConfigureAwait(false);
            await next.LoadAsync(_functions, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var detail = next is { Process.Exited.IsCompleted: true } ? $" The worker exited with code {next.Process.Exited.Result}: {string.Join(" | ", next.Process.LastLines)}" : string.Empty;
            var exitCode = -1;
            if (next is not null)
            {
                await next.DisposeAsync().ConfigureAwait(false);
                exitCode = next.Process.Exited.IsCompleted ? next.Process.Exited.Result : -1;
            }

            if (!_stopping.IsCancellationRequested)
            {
                _log.Host($"ERROR: the worker restarted {after} did not start: {ex.Message}{detail}; functions cannot run any more.");
                _lost.TrySetResult(exitCode);
            }

            throw new WorkerUnavailableException($"The worker restarted {after} did not start: " + ex.Message, ex);
        }

        Volatile.Write(ref _current, next);
        Watch(next);
        _log.Host("Restart of language worker process(es) completed.");
        return next;
    }

    /// <summary>Restarts a worker that exits without the host having asked it to, or gives up at the third error in 30 minutes.</summary>
    private void Watch(WorkerSession worker) =>
        worker.Process.Exited.ContinueWith(
            exited => OnExited(worker, exited.Result),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private void OnExited(WorkerSession worker, int exitCode)
    {
        lock (_gate)
        {
            if (worker.Stopping || _disposed || !ReferenceEquals(_current, worker) || !_ready.IsCompleted)
            {
                return;
            }

            var now = _time.GetUtcNow();
            _errors.Enqueue(now);
            while (_errors.Peek() < now - ErrorWindow)
            {
                _errors.Dequeue();
            }

            if (_errors.Count >= MaxErrors)
            {
                _log.Host($"ERROR: the worker process {worker.Process.Id} exited unexpectedly with code {exitCode}, the {MaxErrors}rd worker error within {ErrorWindow.TotalMinutes:F0} minutes: the host recycles (this host stops serving); functions cannot run any more.");
                _lost.TrySetResult(exitCode);
                return;
            }

            _ready = RestartAsync(
                worker,
                $"ERROR: the worker process {worker.Process.Id} exited unexpectedly with code {exitCode} (worker error {_errors.Count} of {MaxErrors} allowed within {ErrorWindow.TotalMinutes:F0} minutes before the host recycles). Restarting the worker process.",
                "after a crash");
            _ready.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    /// <summary>The host recycles at the third worker error within <see cref="ErrorWindow"/> (<c>RpcFunctionInvocationDispatcher</c>).</summary>
    private const int MaxErrors = 3;

    private static readonly TimeSpan ErrorWindow = TimeSpan.FromMinutes(30);
}
