using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using FunctionApp.Testing;
using FunctionApp.TestHost;
using FunctionApp.TestHost.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionApp.Tests.TestHost;

/// <summary>
/// What a request forwarded to an ASP.NET Core integration worker's server looks like there, and what the client gets
/// back, over real loopback HTTP: a front on 127.0.0.1 forwards each request with <see cref="WorkerHttpForwarder"/>
/// under a fresh invocation id to a small Kestrel server that stands in for the worker's.
/// </summary>
public sealed class WorkerHttpForwarderTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>How the host's retry handler logs each attempt that failed but the last.</summary>
    private const string RetryLine = "[host] Failed to proxy request to the worker. Retrying in ";

    [Fact]
    public async Task HeadersReachTheWorkerAsTheHostsYarpSendsThemAndTheWorkersResponseComesBackWhole()
    {
        Seen? seen = null;
        await using var worker = await LoopbackServer.StartAsync(async context =>
        {
            seen = Seen.From(context.Request);
            context.Response.StatusCode = StatusCodes.Status201Created;
            context.Response.Headers.Append("x-reply", "1");
            context.Response.Headers.Append("x-reply", "2");
            context.Response.Headers.WWWAuthenticate = "ApiKey header=\"api-key\"";
            context.Response.ContentLength = "from the worker".Length;
            await context.Response.WriteAsync("from the worker");
        });
        await using var front = await ForwardingFront.StartAsync(worker.BaseAddress);

        var response = await RawHttp.SendAsync(front.BaseAddress,
            "GET /api/items/7?a=1&a=2&b=%20x HTTP/1.1\r\n" +
            "Host: client.example:1234\r\n" +
            "x-custom: one\r\n" +
            "X-Custom: two\r\n" +
            "X-Forwarded-For: 203.0.113.9\r\n" +
            "X-Forwarded-Host: spoofed.example\r\n" +
            "X-Forwarded-Prefix: /elsewhere\r\n" +
            "Forwarded: for=203.0.113.9\r\n" +
            "Connection: close\r\n\r\n");

        Assert.Equal(201, response?.Status);
        Assert.Equal("from the worker", response?.Body);
        Assert.Equal("1,2", response?.Headers["x-reply"]);
        Assert.Equal("ApiKey header=\"api-key\"", response?.Headers["WWW-Authenticate"]);
        Assert.NotNull(seen);
        Assert.Equal(("GET", "/api/items/7", "?a=1&a=2&b=%20x"), (seen.Method, seen.Path, seen.Query));
        Assert.Equal("one, two", seen.Header("x-custom"));
        Assert.Equal($"127.0.0.1:{worker.BaseAddress.Port}", seen.Header("Host"));
        Assert.Equal("client.example:1234", seen.Header("X-Forwarded-Host"));
        Assert.Equal("127.0.0.1", seen.Header("X-Forwarded-For"));
        Assert.Equal("http", seen.Header("X-Forwarded-Proto"));
        Assert.Null(seen.Header("X-Forwarded-Prefix"));
        Assert.Null(seen.Header("Forwarded"));
        Assert.Equal(Assert.Single(front.InvocationIds), seen.Header(WorkerRequestTransformer.InvocationIdHeader));
        Assert.Equal([ForwarderError.None], front.Errors);
    }

    [Fact]
    public async Task AClientSentInvocationIdIsReplacedByTheHostsWhateverItsCaseOrCount()
    {
        Seen? seen = null;
        await using var worker = await LoopbackServer.StartAsync(context =>
        {
            seen = Seen.From(context.Request);
            return Task.CompletedTask;
        });
        await using var front = await ForwardingFront.StartAsync(worker.BaseAddress);

        var response = await RawHttp.SendAsync(front.BaseAddress,
            "POST /api/items HTTP/1.1\r\nHost: localhost\r\nx-ms-invocation-id: spoofed-1\r\nX-MS-Invocation-Id: spoofed-2\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

        Assert.Equal(200, response?.Status);
        Assert.NotNull(seen);
        Assert.Equal([Assert.Single(front.InvocationIds)], seen.Values(WorkerRequestTransformer.InvocationIdHeader));
    }

    [Fact]
    public async Task AClientCannotReachAnotherCallersInvocationBySendingItsId()
    {
        // The worker's coordinator pairs a request with an invocation by x-ms-invocation-id alone, and fails a second
        // request for an id it already holds. This worker does the same, and answers each request with the id it got.
        var held = new ConcurrentDictionary<string, TaskCompletionSource>();
        var firstArrived = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var worker = await LoopbackServer.StartAsync(async context =>
        {
            var id = context.Request.Headers[WorkerRequestTransformer.InvocationIdHeader].ToString();
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!held.TryAdd(id, release))
            {
                context.Response.StatusCode = StatusCodes.Status409Conflict;
                return;
            }

            if (context.Request.Path == "/first")
            {
                firstArrived.TrySetResult(id);
                await release.Task.WaitAsync(Bound);
            }

            await context.Response.WriteAsync($"{context.Request.Path} ran as invocation {id}");
        });
        await using var front = await ForwardingFront.StartAsync(worker.BaseAddress);
        using var client = new HttpClient { BaseAddress = front.BaseAddress, Timeout = Bound };

        var first = client.GetAsync("/first");
        var firstId = await firstArrived.Task.WaitAsync(Bound);
        using var intruder = new HttpRequestMessage(HttpMethod.Get, "/intruder") { Headers = { { WorkerRequestTransformer.InvocationIdHeader, firstId } } };
        using var intruderResponse = await client.SendAsync(intruder);
        held[firstId].SetResult();
        using var firstResponse = await first;

        Assert.Equal(HttpStatusCode.OK, intruderResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
        var intruderId = Assert.Single(front.InvocationIds, id => id != firstId);
        Assert.Equal($"/intruder ran as invocation {intruderId}", await intruderResponse.Content.ReadAsStringAsync());
        Assert.Equal($"/first ran as invocation {firstId}", await firstResponse.Content.ReadAsStringAsync());
        Assert.Equal(2, held.Count);
    }

    [Fact]
    public async Task ALargeBodyArrivesIntact()
    {
        var body = RandomNumberGenerator.GetBytes(20 * 1024 * 1024);
        await using var worker = await LoopbackServer.StartAsync(EchoBodyDigestAsync);
        await using var front = await ForwardingFront.StartAsync(worker.BaseAddress);
        using var client = new HttpClient { BaseAddress = front.BaseAddress, Timeout = Bound };

        using var response = await client.PostAsync("/api/upload", new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{body.Length} bytes, content-length {body.Length}, sha256 {Convert.ToHexString(SHA256.HashData(body))}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AChunkedBodyIsStreamedToTheWorkerAsItArrivesAndArrivesIntact()
    {
        // The client holds back the rest of its body until the worker has read the first part: a forward that buffered
        // the body before sending it would never get there.
        var firstPart = RandomNumberGenerator.GetBytes(64 * 1024);
        var secondPart = RandomNumberGenerator.GetBytes(1024 * 1024);
        var firstPartRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var worker = await LoopbackServer.StartAsync(async context =>
        {
            var start = new byte[firstPart.Length];
            await context.Request.Body.ReadExactlyAsync(start);
            firstPartRead.SetResult();
            await EchoBodyDigestAsync(context, start);
        });
        await using var front = await ForwardingFront.StartAsync(worker.BaseAddress);
        using var client = new HttpClient { BaseAddress = front.BaseAddress, Timeout = Bound };

        using var response = await client.PostAsync("/api/upload", new TwoPartContent(firstPart, firstPartRead.Task.WaitAsync(Bound), secondPart));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var whole = firstPart.Concat(secondPart).ToArray();
        Assert.Equal($"{whole.Length} bytes, content-length none, sha256 {Convert.ToHexString(SHA256.HashData(whole))}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ABodyOverTheHostsLimitGetsYarps413AfterTheRetries()
    {
        // The front end's Kestrel limit (100 MB, 1 KB here) cuts the body off while it is being forwarded.
        await using var worker = await LoopbackServer.StartAsync(EchoBodyDigestAsync);
        await using var front = await ForwardingFront.StartAsync(worker.BaseAddress, maxRequestBodySize: 1024);
        using var client = new HttpClient { BaseAddress = front.BaseAddress, Timeout = Bound };

        using var response = await client.PostAsync("/api/upload", new ByteArrayContent(new byte[64 * 1024]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        Assert.Equal([ForwarderError.RequestBodyClient], front.Errors);

        // The host's RetryProxyHandler retries any HttpRequestException, this one too, though the body is spent: the
        // 413 comes after the ten attempts.
        Assert.Equal(9, front.Log.Lines.Count(l => l.StartsWith(RetryLine, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AWorkerThatNeverAnswersGets504OnceTheIdleLimitHasPassedAndItsRequestIsAborted()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var worker = await LoopbackServer.StartAsync(async context =>
        {
            context.RequestAborted.Register(aborted.SetResult);
            await Task.Delay(Bound, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        await using var front = await ForwardingFront.StartAsync(worker.BaseAddress, activityTimeout: TimeSpan.FromSeconds(1));
        using var client = new HttpClient { BaseAddress = front.BaseAddress, Timeout = Bound };

        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync("/api/slow");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        Assert.Equal([ForwarderError.RequestTimedOut], front.Errors);
        await aborted.Task.WaitAsync(Bound);
    }

    [Fact]
    public async Task AWorkerThatCannotBeReachedGets502AfterTheHostsTenAttempts()
    {
        var closedPort = ClosedLoopbackPort();
        await using var front = await ForwardingFront.StartAsync(new Uri($"http://127.0.0.1:{closedPort}/"));
        using var client = new HttpClient { BaseAddress = front.BaseAddress, Timeout = Bound };

        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync("/api/items");

        // 50 + 100 + 200 + 6 × 250 ms between the ten attempts.
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(1850), TimeSpan.FromSeconds(10));
        Assert.Equal([ForwarderError.Request], front.Errors);
        Assert.Equal(9, front.Log.Lines.Count(l => l.StartsWith(RetryLine, StringComparison.Ordinal)));
        Assert.Contains(front.Log.Lines, l => l.Contains("Retrying in 250ms. Attempt 9 of 10.", StringComparison.Ordinal));
        Assert.Contains(front.Log.Lines, l => l.StartsWith("[host] Reached the maximum retry count for worker request proxying.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AWorkerThatResetsEveryConnectionBeforeAnsweringIsTriedTenTimesThenGets502()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var connections = 0;
        using var stop = new CancellationTokenSource(Bound);
        var resetting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var socket = await listener.AcceptSocketAsync(stop.Token);
                Interlocked.Increment(ref connections);
                var request = new byte[4096];
                _ = await socket.ReceiveAsync(request, stop.Token);

                // A worker process that dies with the request in hand: the connection is reset, no answer.
                socket.LingerState = new LingerOption(enable: true, seconds: 0);
                socket.Close();
            }
        });
        await using var front = await ForwardingFront.StartAsync(new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/"));
        using var client = new HttpClient { BaseAddress = front.BaseAddress, Timeout = Bound };

        using var response = await client.GetAsync("/api/items");
        await stop.CancelAsync();
        await resetting.ContinueWith(_ => { }, TaskScheduler.Default);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(RetryProxyHandler.MaxAttempts, Volatile.Read(ref connections));
        Assert.Equal([ForwarderError.Request], front.Errors);
    }

    [Fact]
    public async Task AWorkerThatDiesMidResponseCutsTheClientsResponseOff()
    {
        // The worker dies once the client has the status, the headers and the first bytes, so nothing is left to retry.
        var requests = 0;
        var die = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var worker = await LoopbackServer.StartAsync(async context =>
        {
            Interlocked.Increment(ref requests);
            context.Response.ContentLength = 1000;
            await context.Response.WriteAsync(new string('x', 100));
            await context.Response.Body.FlushAsync();
            await die.Task.WaitAsync(Bound);
            context.Abort();
        });
        await using var front = await ForwardingFront.StartAsync(worker.BaseAddress);
        using var client = new HttpClient { BaseAddress = front.BaseAddress, Timeout = Bound };

        using var response = await client.GetAsync("/api/items", HttpCompletionOption.ResponseHeadersRead);
        using var body = await response.Content.ReadAsStreamAsync();
        var start = new byte[100];
        await body.ReadExactlyAsync(start);
        die.SetResult();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1000, response.Content.Headers.ContentLength);
        Assert.Equal(new string('x', 100), Encoding.ASCII.GetString(start));
        await Assert.ThrowsAnyAsync<IOException>(() => body.CopyToAsync(Stream.Null));
        await front.WaitForErrorsAsync(1);
        Assert.Equal([ForwarderError.ResponseBodyDestination], front.Errors);
        Assert.Equal(1, Volatile.Read(ref requests));
    }

    [Fact]
    public async Task AClientThatGoesAwayEndsTheForwardAndTheFrontServesTheNextRequest()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var worker = await LoopbackServer.StartAsync(async context =>
        {
            if (context.Request.Path == "/hang")
            {
                context.RequestAborted.Register(aborted.SetResult);
                arrived.SetResult();
                await Task.Delay(Bound, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            await context.Response.WriteAsync("next");
        });
        await using var front = await ForwardingFront.StartAsync(worker.BaseAddress);
        using var client = new HttpClient { BaseAddress = front.BaseAddress, Timeout = Bound };
        using var leave = new CancellationTokenSource();

        var hanging = client.GetAsync("/hang", leave.Token);
        await arrived.Task.WaitAsync(Bound);
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hanging);
        await aborted.Task.WaitAsync(Bound);
        await front.WaitForErrorsAsync(1);
        using var next = await client.GetAsync("/next");

        Assert.Equal(ForwarderError.RequestCanceled, front.Errors[0]);
        Assert.Equal("next", await next.Content.ReadAsStringAsync());
    }

    /// <summary>Answers with the body's length, its Content-Length and its SHA-256, reading it after <paramref name="alreadyRead"/>.</summary>
    private static async Task EchoBodyDigestAsync(HttpContext context, byte[] alreadyRead)
    {
        using var body = new MemoryStream();
        body.Write(alreadyRead);
        await context.Request.Body.CopyToAsync(body);
        var length = context.Request.ContentLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none";
        await context.Response.WriteAsync($"{body.Length} bytes, content-length {length}, sha256 {Convert.ToHexString(SHA256.HashData(body.ToArray()))}");
    }

    private static Task EchoBodyDigestAsync(HttpContext context) => EchoBodyDigestAsync(context, []);

    /// <summary>A body of unknown length, so sent chunked, whose second part goes out only when <c>beforeSecond</c> completes.</summary>
    private sealed class TwoPartContent(byte[] first, Task beforeSecond, byte[] second) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(first);
            await stream.FlushAsync();
            await beforeSecond;
            await stream.WriteAsync(second);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private static int ClosedLoopbackPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>What the worker's server received.</summary>
    private sealed record Seen(string Method, string Path, string Query, Dictionary<string, string[]> Headers)
    {
        public static Seen From(HttpRequest request) => new(
            request.Method,
            request.Path.Value ?? string.Empty,
            request.QueryString.Value ?? string.Empty,
            request.Headers.ToDictionary(h => h.Key, h => h.Value.Select(v => v ?? string.Empty).ToArray(), StringComparer.OrdinalIgnoreCase));

        public string? Header(string name) => Headers.TryGetValue(name, out var values) ? string.Join(", ", values) : null;

        public string[] Values(string name) => Headers.GetValueOrDefault(name) ?? [];
    }

    /// <summary>A Kestrel server on 127.0.0.1 running one request delegate: the worker's server, or the front.</summary>
    private sealed class LoopbackServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private LoopbackServer(WebApplication app) => _app = app;

        public Uri BaseAddress => new(FunctionsHost.ServerAddress(_app));

        public static Task<LoopbackServer> StartAsync(RequestDelegate handle) => StartAsync(_ => { }, _ => handle, maxRequestBodySize: null);

        public static async Task<LoopbackServer> StartAsync(Action<IServiceCollection> services, Func<IServiceProvider, RequestDelegate> handler, long? maxRequestBodySize)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.Limits.MaxRequestBodySize = maxRequestBodySize;
                kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1);
            });
            services(builder.Services);
            var app = builder.Build();
            app.Run(handler(app.Services));
            await app.StartAsync();
            return new LoopbackServer(app);
        }

        public async ValueTask DisposeAsync()
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(stop.Token);
            await _app.DisposeAsync();
        }
    }

    /// <summary>The host's side: forwards every request to the worker's server under a fresh invocation id, and records how each forward ended.</summary>
    private sealed class ForwardingFront : IAsyncDisposable
    {
        private readonly LoopbackServer _server;
        private readonly ConcurrentQueue<string> _invocationIds;
        private readonly ConcurrentQueue<ForwarderError> _errors;

        private ForwardingFront(LoopbackServer server, ConcurrentQueue<string> invocationIds, ConcurrentQueue<ForwarderError> errors, LogCapture log)
        {
            _server = server;
            _invocationIds = invocationIds;
            _errors = errors;
            Log = log;
        }

        public Uri BaseAddress => _server.BaseAddress;

        public LogCapture Log { get; }

        public IReadOnlyList<string> InvocationIds => [.. _invocationIds];

        public IReadOnlyList<ForwarderError> Errors => [.. _errors];

        public static async Task<ForwardingFront> StartAsync(Uri workerUri, TimeSpan? activityTimeout = null, long? maxRequestBodySize = null)
        {
            var log = new LogCapture();
            var invocationIds = new ConcurrentQueue<string>();
            var errors = new ConcurrentQueue<ForwarderError>();
            var options = new FunctionsHostOptions();
            if (activityTimeout is { } timeout)
            {
                options.HttpProxyActivityTimeout = timeout;
            }

            // Registered as the test host's HTTP front end registers it.
            var server = await LoopbackServer.StartAsync(
                services => services.AddHttpForwarder().AddSingleton(options).AddSingleton(new HostLog(log)).AddSingleton<WorkerHttpForwarder>(),
                provider =>
                {
                    var forwarder = provider.GetRequiredService<WorkerHttpForwarder>();
                    return async context =>
                    {
                        var invocationId = Guid.NewGuid().ToString();
                        invocationIds.Enqueue(invocationId);
                        errors.Enqueue(await forwarder.ForwardAsync(context, workerUri, invocationId, CancellationToken.None));
                    };
                },
                maxRequestBodySize);
            return new ForwardingFront(server, invocationIds, errors, log);
        }

        /// <summary>Waits until <paramref name="count"/> forwards have ended: one may end after its client has seen the response start.</summary>
        public async Task WaitForErrorsAsync(int count)
        {
            var clock = Stopwatch.StartNew();
            while (_errors.Count < count)
            {
                Assert.True(clock.Elapsed < Bound, $"Only {_errors.Count} of {count} forwards ended within {Bound}.");
                await Task.Delay(20);
            }
        }

        public ValueTask DisposeAsync() => _server.DisposeAsync();
    }
}
