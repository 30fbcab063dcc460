using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using FunctionApp.Functions;
using FunctionApp.Tests.TestDoubles;
using FunctionsApiKey;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.Middleware;
using FunctionsApiKey.Policies;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace FunctionApp.Tests.Middleware;

/// <summary>The real middleware with its real collaborators, driven through test doubles of the worker's abstractions.</summary>
internal sealed class MiddlewareHarness : IDisposable
{
    public static readonly TestFunctionDefinition SecureEndpoint = TestFunctionDefinition.For(typeof(SecureEndpointFunction), "Run", "SecureEndpoint");
    public static readonly TestFunctionDefinition Root = TestFunctionDefinition.For(typeof(RootFunction), "Run", "Root");

    private readonly ServiceProvider _services;
    private PolicyBook? _policies;

    /// <param name="options">The gate's options.</param>
    /// <param name="logs">Where its logs go.</param>
    /// <param name="aspNetCore">Run as in an app with ASP.NET Core integration, whose worker advertises its HTTP address.</param>
    /// <param name="logProvider">A second log provider beside the collector.</param>
    public MiddlewareHarness(ApiKeyOptions? options = null, FakeLogCollector? logs = null, bool aspNetCore = false, ILoggerProvider? logProvider = null)
    {
        Options = options ?? new ApiKeyOptions();
        Logs = logs ?? new FakeLogCollector();
        LoggerFactory = TestLogging.Factory(Logs);
        if (logProvider is not null)
        {
            LoggerFactory.AddProvider(logProvider);
        }

        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        KeyRings = new KeyRingProvider(Clock);
        Metrics = new ApiKeyMetrics(_services.GetRequiredService<IMeterFactory>(), KeyRings, Clock);
        Decisions = new MetricCollector<long>(_services.GetRequiredService<IMeterFactory>(), ApiKeyDefaults.MeterName, "apikey.decisions");
        var worker = new WorkerOptions();
        if (aspNetCore)
        {
            worker.Capabilities["HttpUri"] = "http://localhost:54321/";
        }

        Middleware = new ApiKeyMiddleware(
            new FunctionPolicyCatalog(), KeyRings, Microsoft.Extensions.Options.Options.Create(Options), Microsoft.Extensions.Options.Options.Create(worker), Clock, Metrics, LoggerFactory);
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    public ApiKeyOptions Options { get; }

    public FakeLogCollector Logs { get; }

    /// <summary>The factory the gate's loggers come from; its scopes reach every logger it made.</summary>
    public ILoggerFactory LoggerFactory { get; }

    public KeyRingProvider KeyRings { get; }

    public ApiKeyMetrics Metrics { get; }

    public MetricCollector<long> Decisions { get; }

    public ApiKeyMiddleware Middleware { get; }

    public void Publish(params ApiKey[] keys) => KeyRings.Publish(KeyRingSnapshot.Create(keys, "test", Clock.GetUtcNow(), out _));

    /// <summary>Publishes a ring as the refresher does, its keys' policies compiled and counted by <see cref="Policies"/>.</summary>
    public void PublishWithPolicies(params ApiKey[] keys) => KeyRings.Publish(KeyRingSnapshot.Create(keys, "test", Clock.GetUtcNow(), null, Policies, out _));

    public PolicyBook Policies => _policies ??= new PolicyBook(LoggerFactory);

    /// <summary>Runs one invocation; the "function" answers 200 and records that it ran and which key it saw.</summary>
    public Task<Invocation> InvokeAsync(TestFunctionDefinition function, params (string Name, string Value)[] headers) =>
        InvokeAsync(function, request =>
        {
            foreach (var (name, value) in headers)
            {
                request.WithHeader(name, value);
            }
        });

    public async Task<Invocation> InvokeAsync(
        TestFunctionDefinition function, Action<TestHttpRequestData> prepare, bool http = true, string url = "http://localhost/secure-endpoint", string method = "GET", bool headersBindingData = true)
    {
        var context = new TestFunctionContext(function);
        var request = http ? context.AttachRequest(url, method, headersBindingData) : null;
        if (request is not null)
        {
            prepare(request);
        }

        var invocation = new Invocation(context);
        await Middleware.Invoke(context, ctx =>
        {
            invocation.FunctionRan = true;
            invocation.IdentitySeen = ctx.GetApiKeyIdentity();
            if (request is not null)
            {
                ctx.GetInvocationResult().Value = request.CreateResponse();
            }

            return Task.CompletedTask;
        });

        return invocation;
    }

    /// <summary>
    /// Runs one invocation as ASP.NET Core integration hands it over: the forwarded request's <see cref="HttpContext"/>
    /// in the invocation's items, where the integration's proxying middleware puts it, and no request data over gRPC.
    /// The "function" answers 200 with a body, and records that it ran, which key it saw and the request's user.
    /// </summary>
    public async Task<AspNetCoreInvocation> InvokeAspNetCoreAsync(TestFunctionDefinition function, params (string Name, string Value)[] headers)
    {
        var context = new TestFunctionContext(function);
        var http = new DefaultHttpContext();
        http.Request.Method = "GET";
        http.Request.Path = "/secure-endpoint";
        foreach (var (name, value) in headers)
        {
            http.Request.Headers.Append(name, value);
        }

        http.Response.Body = new MemoryStream();
        context.Items["HttpRequestContext"] = http;

        var invocation = new AspNetCoreInvocation(context, http);
        await Middleware.Invoke(context, async ctx =>
        {
            invocation.FunctionRan = true;
            invocation.IdentitySeen = ctx.GetApiKeyIdentity();
            http.Response.StatusCode = StatusCodes.Status200OK;
            await http.Response.WriteAsync("function ran");
        });

        return invocation;
    }

    /// <summary>
    /// The log records once <paramref name="count"/> Information lines about denied known keys have arrived: the gate
    /// writes them off the request path, up to <see cref="KeyDenialLog.FlushDelay"/> later, which the clock is moved on by.
    /// </summary>
    public async Task<IReadOnlyList<FakeLogRecord>> LogsOnceAsync(int count)
    {
        for (var wait = Stopwatch.StartNew(); Logs.GetSnapshot().Count(r => r.Id.Name == "RequestDeniedForKey") < count; await Task.Delay(10))
        {
            Clock.Advance(KeyDenialLog.FlushDelay);
            Assert.True(wait.Elapsed < TimeSpan.FromSeconds(10), $"Fewer than {count} RequestDeniedForKey lines within 10 s.");
        }

        return Logs.GetSnapshot();
    }

    public void Dispose()
    {
        LoggerFactory.Dispose();
        Decisions.Dispose();
        _services.Dispose();
    }
}

/// <summary>What one invocation through the middleware did in ASP.NET Core integration: the response is the context's own.</summary>
internal sealed class AspNetCoreInvocation(TestFunctionContext context, HttpContext http)
{
    public TestFunctionContext Context { get; } = context;

    public HttpContext Http { get; } = http;

    public bool FunctionRan { get; set; }

    public ApiKeyIdentity? IdentitySeen { get; set; }

    public string Body => Encoding.UTF8.GetString(((MemoryStream)Http.Response.Body).ToArray());
}

/// <summary>What one invocation through the middleware did.</summary>
internal sealed class Invocation(TestFunctionContext context)
{
    public TestFunctionContext Context { get; } = context;

    public bool FunctionRan { get; set; }

    public ApiKeyIdentity? IdentitySeen { get; set; }

    /// <summary>The HTTP response the invocation produced, wherever it was put.</summary>
    public TestHttpResponseData Response =>
        (TestHttpResponseData)(Context.Bindings.InvocationResult
            ?? Context.Bindings.OutputBindingData.Values.OfType<HttpResponseData>().FirstOrDefault()
            ?? throw new InvalidOperationException("The invocation produced no HTTP response."));
}
