using System.Net;
using FunctionApp.TestHost.Http;
using FunctionApp.TestHost.Protocol;
using FunctionApp.TestHost.Routing;
using FunctionApp.TestHost.Rpc;
using FunctionApp.TestHost.Worker;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionApp.TestHost;

/// <summary>
/// A stand-in for the Azure Functions host, for tests and for machines without Core Tools: it starts the built
/// FunctionApp worker, plays the host's side of the gRPC protocol (init, metadata, load, invoke, terminate) and
/// serves the functions over HTTP/1.1 on 127.0.0.1, routed as the host routes them. Disposing it stops the worker
/// and kills its process tree.
/// </summary>
public sealed class FunctionsHost : IAsyncDisposable
{
    private const string HostVersion = "4.1040.0";

    private readonly WebApplication _grpc;
    private readonly WorkerChannel _channel;
    private readonly WorkerProcess _worker;
    private readonly HostLog _log;
    private readonly TimeSpan _gracePeriod;
    private WebApplication? _http;
    private int _disposed;

    private FunctionsHost(WebApplication grpc, WorkerChannel channel, WorkerProcess worker, HostLog log, TimeSpan gracePeriod)
    {
        _grpc = grpc;
        _channel = channel;
        _worker = worker;
        _log = log;
        _gracePeriod = gracePeriod;
        WorkerExited = worker.Exited.ContinueWith(OnWorkerExited, TaskScheduler.Default);
    }

    /// <summary>Where the functions are served, e.g. http://127.0.0.1:7071/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public int WorkerProcessId => _worker.Id;

    /// <summary>Completes with the worker's exit code when it exits; unexpected exits are also reported in the log.</summary>
    public Task<int> WorkerExited { get; }

    public IReadOnlyList<HttpFunction> Functions { get; private set; } = [];

    public static async Task<FunctionsHost> StartAsync(FunctionsHostOptions options, CancellationToken cancellationToken = default)
    {
        var log = new HostLog(options.Log);
        var appDirectory = Path.GetFullPath(options.AppDirectory);
        if (!File.Exists(Path.Combine(appDirectory, "FunctionApp.dll")))
        {
            throw new FileNotFoundException($"No FunctionApp.dll in {appDirectory}; build FunctionApp first (dotnet build), or pass --app <folder>.");
        }

        var settings = HostSettings.Load(appDirectory, options.Environment);
        var channel = new WorkerChannel(log);
        var grpc = await StartGrpcServerAsync(channel).ConfigureAwait(false);
        var grpcUri = new Uri(ServerAddress(grpc));
        WorkerProcess? worker = null;
        FunctionsHost? host = null;
        try
        {
            worker = WorkerProcess.Start(appDirectory, grpcUri, settings.WorkerEnvironment, log);
            host = new FunctionsHost(grpc, channel, worker, log, options.ShutdownGracePeriod);
            log.Host($"Started worker process {worker.Id} for {appDirectory}");

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.StartupTimeout);
            var routes = await host.LoadFunctionsAsync(appDirectory, settings.RoutePrefix, timeout.Token).ConfigureAwait(false);
            host.Functions = routes.Functions;
            host._http = await HttpFrontEnd.StartAsync(options.Port, new HttpFrontEnd(routes, channel, settings, log)).ConfigureAwait(false);
            host.BaseAddress = new Uri(ServerAddress(host._http));

            if (worker.Exited.IsCompleted)
            {
                throw new WorkerUnavailableException($"The worker exited with code {worker.Exited.Result} while the host was starting.");
            }

            log.Host("Functions:");
            foreach (var function in routes.Functions)
            {
                var methods = function.Methods is null ? "ANY" : string.Join(',', function.Methods);
                log.Host($"  {function.Name}: [{methods}] {host.BaseAddress}{function.Template.TrimStart('/')}");
            }

            return host;
        }
        catch (Exception ex)
        {
            var detail = worker is { Exited.IsCompleted: true } ? $" The worker exited with code {worker.Exited.Result}: {string.Join(" | ", worker.LastLines)}" : string.Empty;
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

        if (!_worker.Exited.IsCompleted)
        {
            _channel.Post(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(_gracePeriod) } });
            await _worker.StopAsync(_gracePeriod).ConfigureAwait(false);
        }

        await _worker.DisposeAsync().ConfigureAwait(false);
        _channel.Close(new WorkerUnavailableException("The host stopped."));
        await _grpc.StopAsync().ConfigureAwait(false);
        await _grpc.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<RouteTable> LoadFunctionsAsync(string appDirectory, string routePrefix, CancellationToken cancellationToken)
    {
        // A worker that dies while starting closes the channel (see OnWorkerExited), which ends this wait at once.
        var workerId = await _channel.Started.WaitAsync(cancellationToken).ConfigureAwait(false);

        var init = await _channel.RequestAsync(new StreamingMessage
        {
            WorkerInitRequest = new WorkerInitRequest { HostVersion = HostVersion, WorkerDirectory = appDirectory, FunctionAppDirectory = appDirectory },
        }, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(init.WorkerInitResponse?.Result, "initialize");

        var metadata = await _channel.RequestAsync(new StreamingMessage
        {
            FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory },
        }, cancellationToken).ConfigureAwait(false);
        var response = metadata.FunctionMetadataResponse ?? throw new InvalidOperationException("The worker did not answer the metadata request.");
        EnsureSuccess(response.Result, "index its functions");
        if (response.UseDefaultMetadataIndexing)
        {
            throw new InvalidOperationException("The worker asked the host to index functions.metadata itself; this host supports worker indexing only.");
        }

        var routes = new RouteTable(response.FunctionMetadataResults.Select(f => HttpFunction.FromMetadata(f, routePrefix)).OfType<HttpFunction>());
        foreach (var (name, error) in routes.Errors)
        {
            // Like the host: a function in error is logged and left out (not loaded, not routed); the others still run.
            _log.Host($"ERROR: The '{name}' function is in error: {error}");
        }

        var valid = response.FunctionMetadataResults.Where(f => !routes.Errors.ContainsKey(f.Name)).ToList();
        var loads = valid.Select(async function =>
        {
            var load = await _channel.RequestAsync(new StreamingMessage
            {
                FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function },
            }, cancellationToken).ConfigureAwait(false);
            EnsureSuccess(load.FunctionLoadResponse?.Result, $"load {function.Name}");
        });
        await Task.WhenAll(loads).ConfigureAwait(false);
        _log.Host($"Worker {workerId} loaded {valid.Count} functions");
        return routes;
    }

    private static void EnsureSuccess(StatusResult? result, string step)
    {
        if (result?.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"The worker failed to {step}: {result?.Exception?.Message ?? result?.Result ?? "no answer"}");
        }
    }

    private int OnWorkerExited(Task<int> exited)
    {
        _channel.Close(new WorkerUnavailableException($"The worker process exited with code {exited.Result}."));
        if (Volatile.Read(ref _disposed) == 0)
        {
            _log.Host($"ERROR: the worker process {_worker.Id} exited unexpectedly with code {exited.Result}; functions cannot run any more.");
        }

        return exited.Result;
    }

    private static async Task<WebApplication> StartGrpcServerAsync(WorkerChannel channel)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton(channel);
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
