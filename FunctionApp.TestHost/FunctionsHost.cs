using System.Net;
using FunctionApp.TestHost.Admin;
using FunctionApp.TestHost.Http;
using FunctionApp.TestHost.Protocol;
using FunctionApp.TestHost.Routing;
using FunctionApp.TestHost.Singleton;
using FunctionApp.TestHost.Timers;
using FunctionApp.TestHost.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionApp.TestHost;

/// <summary>
/// A stand-in for the Azure Functions host, for tests and for machines without Core Tools: it starts the worker of
/// any isolated-worker app's build output as the app's worker.config.json says, plays the host's side of the gRPC
/// protocol (init, metadata, load, invoke, terminate), serves the functions over HTTP/1.1 on 127.0.0.1, routed as
/// the host routes them, and runs timer functions on their schedules while it holds each timer's listener lease in
/// <c>AzureWebJobsStorage</c> (in memory without storage), so that one instance of an app runs each timer. After a function
/// timeout or a worker crash it replaces the worker process, as the host does. Disposing it stops the worker, kills its
/// process tree and releases its leases.
/// </summary>
public sealed class FunctionsHost : IAsyncDisposable
{
    private readonly WebApplication _grpc;
    private readonly FunctionDispatcher _dispatcher;
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _http;
    private IReadOnlyList<TimerListener> _timers = [];
    private IReadOnlyList<SingletonTimerListener> _singletons = [];
    private ManualInvoker _manual = null!;
    private int _disposed;

    private FunctionsHost(WebApplication grpc, FunctionDispatcher dispatcher, FunctionIndex functions)
    {
        _grpc = grpc;
        _dispatcher = dispatcher;
        Functions = functions.Routes.Functions;
        FunctionErrors = functions.Errors;
    }

    /// <summary>Where the functions are served, e.g. http://127.0.0.1:7071/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>
    /// The process id of the worker serving requests. A function timeout or a crash replaces the worker: from the moment
    /// the new one has loaded its functions, this is the new worker's id.
    /// </summary>
    public int WorkerProcessId => _dispatcher.ProcessId;

    /// <summary>
    /// Completes with the exit code of the host's last worker once the host has no worker and will start none: the
    /// worker crashed for the third time within 30 minutes (the host recycles), a replacement worker failed to start, or
    /// the host was disposed or killed. A worker that crashes before that is replaced, and one the host kills to replace
    /// it after a timeout does not complete it either.
    /// </summary>
    public Task<int> WorkerExited => _dispatcher.Lost;

    /// <summary>The host id, which names its locks in storage (<c>azure-webjobs-hosts/locks/{hostId}/…</c>).</summary>
    public string HostId { get; private set; } = string.Empty;

    /// <summary>
    /// The timer functions whose listener lease this host holds, and whose schedules it therefore runs (every timer,
    /// when the locks are in memory).
    /// </summary>
    public IReadOnlyList<string> ListeningTimers => [.. _singletons.Where(s => s.IsListening).Select(s => s.FunctionName)];

    /// <summary>The routed functions, in the order the host tries their routes.</summary>
    public IReadOnlyList<HttpFunction> Functions { get; }

    /// <summary>
    /// The functions the host put in error, by name (ignoring case), with the error it logged for each after
    /// "The '{name}' function is in error: ". The other functions run.
    /// </summary>
    public IReadOnlyDictionary<string, string> FunctionErrors { get; }

    /// <summary>
    /// Runs a function now, as <c>POST /admin/functions/{name}</c> does (see the README for what each trigger gets), and
    /// completes when the worker has answered, so a test need not poll the log. A timer function gets a
    /// <c>TimerInfo</c> that is not past due; the run does not move its schedule and may overlap a scheduled one.
    /// </summary>
    /// <param name="functionName">The function's name, ignoring case.</param>
    /// <param name="input">The admin API's <c>input</c>; a timer function ignores it.</param>
    /// <param name="cancellationToken">Stops waiting; the invocation goes on.</param>
    /// <returns>How it ended: the worker's answer, a timeout, or why it could not run (e.g. an HTTP function).</returns>
    /// <exception cref="KeyNotFoundException">The host has no such function (the admin API answers 404).</exception>
    public async Task<FunctionInvocationResult> InvokeAsync(string functionName, string? input = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        var run = await _manual.StartAsync(functionName, input, _stopping.Token).WaitAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"The host has no function '{functionName}' (the admin API would answer 404); see FunctionErrors for functions in error.");
        return await run.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task<FunctionsHost> StartAsync(FunctionsHostOptions options, CancellationToken cancellationToken = default)
    {
        var log = new HostLog(options.Log);
        var appDirectory = Path.GetFullPath(options.AppDirectory);
        var settings = HostSettings.Load(appDirectory, options.ProjectDirectory, options.Environment);
        var workerConfig = WorkerConfig.Load(appDirectory, settings.WorkerEnvironment);
        var locks = ListenerLockStorage.Create(settings.WorkerEnvironment);
        var channels = new WorkerChannels();
        var grpc = await StartGrpcServerAsync(channels).ConfigureAwait(false);
        var grpcUri = new Uri(ServerAddress(grpc));
        WorkerSession StartWorker() => WorkerSession.Start(workerConfig, appDirectory, grpcUri, settings.WorkerEnvironment, channels, log);

        WorkerSession? worker = null;
        FunctionsHost? host = null;
        try
        {
            worker = StartWorker();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.StartupTimeout);
            var functions = await LoadFunctionsAsync(worker, settings, log, timeout.Token).ConfigureAwait(false);

            var dispatcher = new FunctionDispatcher(worker, functions.Loaded, StartWorker, options, log);
            host = new FunctionsHost(grpc, dispatcher, functions);
            var invoker = new FunctionInvoker(dispatcher, settings.FunctionTimeout, log);
            var background = new BackgroundInvocations(invoker, log);
            host.HostId = settings.HostId;
            host._timers = CreateTimers(functions.Timers, background, TimeProvider.System, log);
            host._singletons = [.. host._timers.Select(timer => new SingletonTimerListener(timer, locks, settings.HostId, settings.ListenerLease, TimeProvider.System, log))];
            host._manual = new ManualInvoker(functions, host._timers, background, TimeProvider.System);
            var admin = new AdminEndpoint(host._manual, log, host._stopping.Token);
            host._http = await HttpFrontEnd.StartAsync(options, functions.Routes, invoker, admin, settings, log).ConfigureAwait(false);
            host.BaseAddress = new Uri(ServerAddress(host._http));

            if (worker.Process.Exited.IsCompleted)
            {
                throw new WorkerUnavailableException($"The worker exited with code {worker.Process.Exited.Result} while the host was starting.");
            }

            log.Host("Functions:");
            foreach (var function in functions.Routes.Functions)
            {
                var methods = function.Methods is null ? "ANY" : string.Join(',', function.Methods);
                log.Host($"  {function.Name}: [{methods}] {host.BaseAddress}{function.Template.TrimStart('/')}");
            }

            foreach (var timer in functions.Timers)
            {
                log.Host($"  {timer.Name}: timerTrigger");
            }

            if (host._singletons.Count > 0)
            {
                log.Host(locks is InMemoryListenerLockManager
                    ? $"Host id {settings.HostId}; listener locks in memory (no AzureWebJobsStorage): this instance runs every timer."
                    : $"Host id {settings.HostId}; listener locks are blob leases in {BlobLeaseListenerLockManager.ContainerName}/locks/{settings.HostId}/ (lease {settings.ListenerLease.ListenerLockPeriod:c}, retry every {settings.ListenerLease.ListenerLockRecoveryPollingInterval:c}).");
            }

            // As the host starts its trigger listeners once the functions are loaded, each behind its lock.
            foreach (var singleton in host._singletons)
            {
                singleton.Start();
            }

            return host;
        }
        catch (Exception ex)
        {
            var detail = worker is { Process.Exited.IsCompleted: true } ? $" The worker exited with code {worker.Process.Exited.Result}: {string.Join(" | ", worker.Process.LastLines)}" : string.Empty;
            if (host is not null)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                if (worker is not null)
                {
                    await worker.DisposeAsync().ConfigureAwait(false);
                }

                await grpc.DisposeAsync().ConfigureAwait(false);
            }

            throw new InvalidOperationException($"The Functions host did not start: {ex.Message}{detail}", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_http is not null)
        {
            await _http.StopAsync().ConfigureAwait(false);
            await _http.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var singleton in _singletons)
        {
            await singleton.DisposeAsync().ConfigureAwait(false);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _dispatcher.DisposeAsync().ConfigureAwait(false);
        await _grpc.StopAsync().ConfigureAwait(false);
        await _grpc.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>
    /// Stops as a host process that is killed does: its worker's process tree is killed at once, its servers stop, and
    /// its listener leases are neither renewed nor released, so other instances take them over only once they expire.
    /// </summary>
    internal async ValueTask KillAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        foreach (var singleton in _singletons)
        {
            await singleton.AbandonAsync().ConfigureAwait(false);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _dispatcher.KillAsync().ConfigureAwait(false);
        if (_http is not null)
        {
            await _http.DisposeAsync().ConfigureAwait(false);
        }

        await _grpc.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>
    /// Initialises the first worker, reads its functions, indexes them as the host does and loads those it keeps: a
    /// function in error is logged, and the others run; an invalid route template fails the start.
    /// </summary>
    private static async Task<FunctionIndex> LoadFunctionsAsync(WorkerSession worker, HostSettings settings, HostLog log, CancellationToken cancellationToken)
    {
        await worker.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var metadata = await worker.GetMetadataAsync(cancellationToken).ConfigureAwait(false);
        var functions = FunctionIndex.Create(metadata, settings.RoutePrefix, new NameResolver(settings.WorkerEnvironment), TimeProvider.System);
        foreach (var (name, error) in functions.Errors)
        {
            log.Host($"ERROR: The '{name}' function is in error: {error}");
        }

        await worker.LoadAsync(functions.Loaded, cancellationToken).ConfigureAwait(false);
        return functions;
    }

    /// <summary>
    /// A listener for each timer function. A run is dispatched to whichever worker serves at the time, so the schedules
    /// outlive worker restarts.
    /// </summary>
    private static List<TimerListener> CreateTimers(IReadOnlyList<TimerFunction> timers, BackgroundInvocations background, TimeProvider time, HostLog log)
    {
        return [.. timers.Select(timer => new TimerListener(timer, (timerInfo, stopping) => RunAsync(timer, timerInfo, stopping), time, log))];

        async Task RunAsync(TimerFunction timer, TimerInfo timerInfo, CancellationToken stopping)
        {
            var now = time.GetLocalNow();
            var run = await background.StartAsync(timer.Name, timer.CreateInvocation(timerInfo, now), $"Timer fired at {now:o}", stopping).ConfigureAwait(false);
            await run.ConfigureAwait(false);
        }
    }

    private static async Task<WebApplication> StartGrpcServerAsync(WorkerChannels channels)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton(channels);
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = null;
            grpc.MaxSendMessageSize = null;
        });
        var app = builder.Build();
        app.MapGrpcService<FunctionRpcService>();
        await app.StartAsync().ConfigureAwait(false);
        return app;
    }

    internal static string ServerAddress(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/') + "/";
}
