using FunctionApp.TestHost.Protocol;
using FunctionApp.TestHost.Rpc;
using Google.Protobuf.WellKnownTypes;

namespace FunctionApp.TestHost.Worker;

/// <summary>
/// One worker process and its event stream, from start to exit: the host starts one when it starts, and another after
/// each function timeout. When the process exits, its channel closes, which ends every wait on it at once (a start
/// included). Disposing it kills the process tree.
/// </summary>
internal sealed class WorkerSession : IAsyncDisposable
{
    private const string HostVersion = "4.1040.0";

    /// <summary>The capability an ASP.NET Core integration worker advertises its own HTTP server with.</summary>
    private const string HttpUriCapability = "HttpUri";

    private readonly string _appDirectory;
    private readonly string _workerDirectory;
    private readonly WorkerChannels _channels;
    private readonly HostLog _log;
    private int _stopping;

    private WorkerSession(string workerId, WorkerProcess process, WorkerChannel channel, string appDirectory, string workerDirectory, WorkerChannels channels, HostLog log)
    {
        WorkerId = workerId;
        Process = process;
        Channel = channel;
        _appDirectory = appDirectory;
        _workerDirectory = workerDirectory;
        _channels = channels;
        _log = log;
    }

    public string WorkerId { get; }

    public WorkerProcess Process { get; }

    public WorkerChannel Channel { get; }

    /// <summary>
    /// Where the worker serves HTTP itself, from the <c>HttpUri</c> capability of its <c>WorkerInitResponse</c>: set only
    /// by an ASP.NET Core integration worker (<c>ConfigureFunctionsWebApplication()</c>), whose HTTP requests the host
    /// forwards there instead of sending them over gRPC. Null for the built-in HTTP model, and until the worker is initialised.
    /// </summary>
    public Uri? HttpUri { get; private set; }

    /// <summary>Whether the host itself is ending this worker (it stops, or replaces the worker), so its exit is expected.</summary>
    public bool Stopping => Volatile.Read(ref _stopping) == 1;

    /// <summary>Starts the process, with a channel registered under its worker id for the stream it will open.</summary>
    public static WorkerSession Start(WorkerConfig config, string appDirectory, Uri grpcUri, IReadOnlyDictionary<string, string> environment, WorkerChannels channels, HostLog log)
    {
        var workerId = Guid.NewGuid().ToString();
        var channel = new WorkerChannel(log);
        channels.Add(workerId, channel);
        WorkerProcess process;
        try
        {
            process = WorkerProcess.Start(config, appDirectory, grpcUri, workerId, environment, log);
        }
        catch
        {
            channels.Remove(workerId);
            throw;
        }

        process.Exited.ContinueWith(
            exited => channel.Close(new WorkerUnavailableException($"The worker process exited with code {exited.Result}.")),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        log.Host($"Started worker process {process.Id} for {appDirectory}");
        return new WorkerSession(workerId, process, channel, appDirectory, config.WorkerDirectory, channels, log);
    }

    /// <summary>Waits for the worker to connect, then initialises it.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await Channel.Started.WaitAsync(cancellationToken).ConfigureAwait(false);
        var init = await Channel.RequestAsync(new StreamingMessage
        {
            WorkerInitRequest = new WorkerInitRequest { HostVersion = HostVersion, WorkerDirectory = _workerDirectory, FunctionAppDirectory = _appDirectory },
        }, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(init.WorkerInitResponse?.Result, "initialize");

        // The host's GrpcWorkerChannel keeps new Uri(HttpUri) as the proxy endpoint; a worker restarted after a timeout
        // binds another port, so each session keeps its own.
        if (init.WorkerInitResponse!.Capabilities.TryGetValue(HttpUriCapability, out var httpUri))
        {
            HttpUri = Uri.TryCreate(httpUri, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                ? uri
                : throw new InvalidOperationException($"The worker's {HttpUriCapability} capability '{httpUri}' is not an absolute http or https URI.");
            _log.Host($"Worker {WorkerId} serves HTTP at {uri} (ASP.NET Core integration): HTTP requests are forwarded to it.");
        }
    }

    /// <summary>Asks the worker for its functions (worker indexing).</summary>
    public async Task<IReadOnlyList<RpcFunctionMetadata>> GetMetadataAsync(CancellationToken cancellationToken)
    {
        var metadata = await Channel.RequestAsync(new StreamingMessage
        {
            FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = _appDirectory },
        }, cancellationToken).ConfigureAwait(false);
        var response = metadata.FunctionMetadataResponse ?? throw new InvalidOperationException("The worker did not answer the metadata request.");
        EnsureSuccess(response.Result, "index its functions");
        if (response.UseDefaultMetadataIndexing)
        {
            throw new InvalidOperationException("The worker asked the host to index functions.metadata itself; this host supports worker indexing only.");
        }

        return response.FunctionMetadataResults;
    }

    /// <summary>Loads the functions into the worker, all at once.</summary>
    public async Task LoadAsync(IReadOnlyCollection<RpcFunctionMetadata> functions, CancellationToken cancellationToken)
    {
        var loads = functions.Select(async function =>
        {
            var load = await Channel.RequestAsync(new StreamingMessage
            {
                FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function },
            }, cancellationToken).ConfigureAwait(false);
            EnsureSuccess(load.FunctionLoadResponse?.Result, $"load {function.Name}");
        });
        await Task.WhenAll(loads).ConfigureAwait(false);
        _log.Host($"Worker {WorkerId} loaded {functions.Count} functions");
    }

    /// <summary>Asks the worker to exit (<c>WorkerTerminate</c>) and kills its process tree if it has not within the grace period.</summary>
    public async Task StopAsync(TimeSpan gracePeriod)
    {
        Interlocked.Exchange(ref _stopping, 1);
        if (!Process.Exited.IsCompleted)
        {
            Channel.Post(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(gracePeriod) } });
            await Process.StopAsync(gracePeriod).ConfigureAwait(false);
        }
    }

    /// <summary>Kills the process tree if it still runs, and closes and unregisters the channel.</summary>
    public async ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _stopping, 1);
        await Process.DisposeAsync().ConfigureAwait(false);
        Channel.Close(new WorkerUnavailableException("The host stopped this worker."));
        _channels.Remove(WorkerId);
    }

    private static void EnsureSuccess(StatusResult? result, string step)
    {
        if (result?.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"The worker failed to {step}: {result?.Exception?.Message ?? result?.Result ?? "no answer"}");
        }
    }
}
