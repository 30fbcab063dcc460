using System.Reflection;
using FunctionApp.TestHost;
using FunctionApp.Testing;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// One real FunctionApp worker under FunctionApp.TestHost for a test class, serving HTTP on a free loopback port.
/// Disposing it stops the worker and kills its process tree.
/// </summary>
public abstract class WorkerFixture : IAsyncLifetime
{
    internal LogCapture Log { get; } = new();

    internal FunctionsHost Host { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public Uri BaseAddress => Host.BaseAddress;

    public virtual async Task InitializeAsync()
    {
        await BeforeStartAsync();
        Host = await FunctionsHost.StartAsync(HostOptions(Log));
        Client = NewClient(Host);
    }

    /// <summary>
    /// Starts another instance of the same app with the same settings, as a scale-out does: its own host, worker and
    /// log. The caller disposes it.
    /// </summary>
    internal async Task<WorkerInstance> StartInstanceAsync()
    {
        var log = new LogCapture();
        var host = await FunctionsHost.StartAsync(HostOptions(log));
        return new WorkerInstance(host, NewClient(host), log);
    }

    public virtual async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
    }

    /// <summary>The build output of the app to run; null for the test host's default, FunctionApp.</summary>
    protected virtual string? AppDirectory => null;

    /// <summary>The worker's environment on top of the process environment and local.settings.json.</summary>
    protected abstract Dictionary<string, string?> Environment();

    protected virtual Task BeforeStartAsync() => Task.CompletedTask;

    private FunctionsHostOptions HostOptions(LogCapture log)
    {
        var options = new FunctionsHostOptions { Port = 0, Environment = Environment(), Log = log, StartupTimeout = TimeSpan.FromSeconds(60) };
        if (AppDirectory is { } app)
        {
            options.AppDirectory = app;
        }

        return options;
    }

    private static HttpClient NewClient(FunctionsHost host) =>
        new(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 32 }) { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
}

/// <summary>A further instance of a fixture's app (<see cref="WorkerFixture.StartInstanceAsync"/>); disposing it stops its worker.</summary>
internal sealed class WorkerInstance(FunctionsHost host, HttpClient client, LogCapture log) : IAsyncDisposable
{
    public FunctionsHost Host => host;

    public HttpClient Client => client;

    public LogCapture Log => log;

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await host.DisposeAsync();
    }
}

/// <summary>A worker with keys from settings, as after <c>cp local.settings.sample.json</c>, but with fresh random keys.</summary>
public class SettingsWorkerFixture : WorkerFixture
{
    public string Key { get; } = TestKeys.NewValue();

    public string ScopedKey { get; } = TestKeys.NewValue();

    protected override Dictionary<string, string?> Environment() => new()
    {
        ["ApiKeys__Keys__local-dev"] = null,
        ["ApiKeys__Keys__e2e"] = Key,
        ["ApiKeys__Keys__e2e-scoped"] = ScopedKey,
        ["ApiKeys__Keys__e2e-scoped__Scopes"] = "reports",
        ["AzureWebJobsDisableHomepage"] = "true",

        // Per-request lines are Debug; turned on here so the log checks see every line there is.
        ["Logging__LogLevel__FunctionApp"] = "Debug",
    };
}

/// <summary>
/// The same, for FunctionApp.AspNetCore: the tutorial's functions in ASP.NET Core integration, where the host forwards
/// each request to the worker's own HTTP server.
/// </summary>
public sealed class AspNetCoreSettingsWorkerFixture : SettingsWorkerFixture
{
    protected override string? AppDirectory { get; } =
        typeof(AspNetCoreSettingsWorkerFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "AspNetCoreAppDirectory").Value;
}

/// <summary>
/// A worker with keys from settings and no storage whose <c>PublishKeyRing</c> timer runs every second, its Debug line
/// ("has nothing to do") turned on as the observable effect of a run.
/// </summary>
public sealed class TimerWorkerFixture : WorkerFixture
{
    public const string RunLine = "[Debug] FunctionsApiKey.SharedRing: PublishKeyRing has nothing to do";

    protected override Dictionary<string, string?> Environment() => new()
    {
        ["ApiKeys__Keys__local-dev"] = null,
        ["ApiKeys__Keys__e2e"] = TestKeys.NewValue(),
        ["ApiKeys__PublishSchedule"] = "* * * * * *",
        ["Logging__LogLevel__FunctionsApiKey"] = "Debug",

        // No storage (the sample's local settings name Azurite's default port): the listener lock is in memory, as the
        // host keeps it without AzureWebJobsStorage, so this instance runs the timer.
        ["AzureWebJobsStorage"] = null,
    };
}
