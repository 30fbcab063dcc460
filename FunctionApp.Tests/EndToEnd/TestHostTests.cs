using System.Diagnostics;
using System.Net;
using System.Runtime.Versioning;
using FunctionApp.TestHost;
using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>What the test host itself promises: the real host's routing, limits and home page, and no orphans.</summary>
public sealed class TestHostTests
{
    private static readonly Dictionary<string, string?> TestKey = new() { ["ApiKeys__Keys__local-dev"] = null, ["ApiKeys__Keys__host-test"] = "host-test-key-0123456789" };

    [Fact]
    public async Task ARoutePrefixFromHostJsonMakesTheRootRouteFailTheStartAsOnTheHost()
    {
        // The app's Route = "/" relies on its empty prefix: under "v1" the host builds "v1//", which ASP.NET Core refuses.
        var app = TestApps.Copy(hostJson: """{ "version": "2.0", "extensions": { "http": { "routePrefix": "v1" } } }""");
        var log = new LogCapture();
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(new FunctionsHostOptions { AppDirectory = app, Port = 0, Environment = TestKey, Log = log }));

            Assert.Contains("The route template 'v1//' of function 'Root' is invalid", error.Message, StringComparison.Ordinal);
            var started = Assert.Single(log.Lines, l => l.StartsWith("[host] Started worker process ", StringComparison.Ordinal));
            Assert.False(IsRunning(int.Parse(started.Split(' ')[4], System.Globalization.CultureInfo.InvariantCulture)));
        }
        finally
        {
            Directory.Delete(app, recursive: true);
        }
    }

    [Fact]
    [UnsupportedOSPlatform("windows")] // The stand-in executable is a shell script.
    public async Task TheWorkerStartsAsWorkerConfigJsonSaysWithTheHostsArgumentsInTheHostsOrder()
    {
        // The app's own executable under {WorkerRoot}, as a self-contained build has it: here a script that records how
        // it was started, then runs the worker with the same arguments, so the command line is seen from the inside.
        var app = TestApps.Copy();
        var log = new LogCapture();
        try
        {
            var script = Path.Combine(app, "start-worker.sh");
            File.WriteAllText(script, """
                #!/bin/sh
                printf '%s\n' "$PWD" "$FUNCTIONS_WORKER_DIRECTORY" "$@" > "$(dirname "$0")/started-with.txt"
                exec dotnet "$@"
                """);
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.WriteAllText(Path.Combine(app, "worker.config.json"), """
                {
                  "description": {
                    "language": "dotnet-isolated",
                    "extensions": [ ".dll" ],
                    "defaultExecutablePath": "{WorkerRoot}start-worker.sh",
                    "defaultWorkerPath": "FunctionApp.dll",
                    "arguments": [ "--additionalprobingpath", "{workerDirectoryPath}" ]
                  }
                }
                """);

            await using var host = await StartAsync(new FunctionsHostOptions { AppDirectory = app, Port = 0, Environment = TestKey, Log = log });
            using var client = new HttpClient { BaseAddress = host.BaseAddress };
            using var root = await client.GetAsync("/");

            Assert.Equal("""{"Hello":"World"}""", await root.Content.ReadAsStringAsync());
            var startedWith = File.ReadAllLines(Path.Combine(app, "started-with.txt"));
            Assert.Equal([app, app, "--additionalprobingpath", app, Path.Combine(app, "FunctionApp.dll"), "--host", "127.0.0.1", "--port"], startedWith.Take(8));
            Assert.Contains("--functions-uri", startedWith);
            Assert.Contains("--functions-worker-id", startedWith);
            Assert.Equal("2147483647", startedWith[^1]);
            Assert.Contains(log.Lines, l => l.StartsWith($"[host] Starting worker process with FileName:{script} WorkingDirectory:{app} Arguments:--additionalprobingpath {app} ", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(app, recursive: true);
        }
    }

    [Fact]
    public async Task AnAppWithoutWorkerConfigJsonFailsTheStartNamingTheFileAndStartsNoWorker()
    {
        var app = TestApps.Copy();
        var log = new LogCapture();
        try
        {
            File.Delete(Path.Combine(app, "worker.config.json"));

            var error = await Assert.ThrowsAsync<FileNotFoundException>(() => StartAsync(new FunctionsHostOptions { AppDirectory = app, Port = 0, Environment = TestKey, Log = log }));

            Assert.StartsWith(Path.Combine(app, "worker.config.json") + " does not exist.", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(log.Lines, l => l.Contains("worker process", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(app, recursive: true);
        }
    }

    [Fact]
    public async Task MethodsRouteLikeTheHostAndTheHomePageAnswersTheRootWhenEnabled()
    {
        var environment = new Dictionary<string, string?>(TestKey) { ["AzureWebJobsDisableHomepage"] = "false" };
        await using var host = await StartAsync(new FunctionsHostOptions { Port = 0, Environment = environment, Log = new LogCapture() });
        using var client = new HttpClient { BaseAddress = host.BaseAddress };

        using var get = await client.GetAsync("/");
        Assert.Equal("""{"Hello":"World"}""", await get.Content.ReadAsStringAsync());
        using var post = await client.PostAsync("/", new StringContent(""));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal("text/html", post.Content.Headers.ContentType?.MediaType);
        using var put = await client.PutAsync("/secure-endpoint", new StringContent(""));
        Assert.Equal(HttpStatusCode.NotFound, put.StatusCode);
        Assert.Equal(0, put.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task AnOversizedHeaderIsRefusedByTheServerBeforeTheWorker()
    {
        var log = new LogCapture();
        await using var host = await StartAsync(new FunctionsHostOptions { Port = 0, Environment = TestKey, Log = log });

        var response = await RawHttp.SendAsync(host.BaseAddress, $"GET /secure-endpoint HTTP/1.1\r\nHost: localhost\r\napi-key: {new string('k', 40 * 1024)}\r\nConnection: close\r\n\r\n");

        Assert.Equal(431, response?.Status);
        Assert.DoesNotContain(log.Lines, l => l.Contains("SecureEndpoint denied", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABodyOverKestrels30MbReachesTheWorkerAndOneOverTheHosts100MbGets500()
    {
        var log = new LogCapture();
        await using var host = await StartAsync(new FunctionsHostOptions { Port = 0, Environment = TestKey, Log = log });
        using var client = new HttpClient { BaseAddress = host.BaseAddress };

        // The host raises Kestrel's 30 MB body limit to 100 MB: the worker's gate answers, not the server.
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/secure-endpoint") { Content = new ByteArrayContent(new byte[31 * 1024 * 1024]) })
        using (var response = await client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("ApiKey header=\"api-key\"", response.Headers.WwwAuthenticate.ToString());
        }

        // Over the limit, Kestrel refuses the body while the host binds the request; the host's exception middleware answers 500.
        var tooLarge = await RawHttp.SendAsync(host.BaseAddress, $"GET /secure-endpoint HTTP/1.1\r\nHost: localhost\r\nContent-Length: {(100 * 1024 * 1024) + 1}\r\n\r\n");

        Assert.Equal(500, tooLarge?.Status);
        Assert.Equal(string.Empty, tooLarge?.Body);
        await log.WaitForAsync(l => l.StartsWith("[host] SecureEndpoint failed: Request body too large", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task DisposingTheHostLeavesNoWorkerProcessBehind()
    {
        var host = await StartAsync(new FunctionsHostOptions { Port = 0, Environment = TestKey, Log = new LogCapture() });
        var workerId = host.WorkerProcessId;
        Assert.True(IsRunning(workerId));

        await host.DisposeAsync();

        Assert.False(IsRunning(workerId));
        Assert.Equal(0, await host.WorkerExited);
    }

    [Fact]
    public async Task AWorkerThatDiesIsRestartedAndRequestsSucceedAgain()
    {
        var log = new LogCapture();
        await using var host = await StartAsync(new FunctionsHostOptions { Port = 0, Environment = TestKey, Log = log });
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        var firstWorker = host.WorkerProcessId;

        KillProcess(firstWorker);

        await log.WaitForAsync(l => l.StartsWith($"[host] ERROR: the worker process {firstWorker} exited unexpectedly with code ", StringComparison.Ordinal) && l.EndsWith("(worker error 1 of 3 allowed within 30 minutes before the host recycles). Restarting the worker process.", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await log.WaitForAsync(l => l == "[host] Restart of language worker process(es) completed.", TimeSpan.FromSeconds(30));
        using (var served = await client.SendAsync(SecureEndpoint.Request("host-test-key-0123456789")))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        Assert.NotEqual(firstWorker, host.WorkerProcessId);
        Assert.True(IsRunning(host.WorkerProcessId));
        Assert.False(host.WorkerExited.IsCompleted);
    }

    [Fact]
    public async Task TheThirdWorkerCrashWithin30MinutesRecyclesTheHostAndRequestsGet503()
    {
        var log = new LogCapture();
        await using var host = await StartAsync(new FunctionsHostOptions { Port = 0, Environment = TestKey, Log = log });
        using var client = new HttpClient { BaseAddress = host.BaseAddress };

        for (var crash = 1; crash <= 2; crash++)
        {
            var worker = host.WorkerProcessId;
            KillProcess(worker);
            await log.WaitForAsync(l => l.Contains($"(worker error {crash} of 3 allowed", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
            var restarted = log.Lines.Count(l => l == "[host] Restart of language worker process(es) completed.");
            for (var i = 0; i < 300 && restarted < crash; i++)
            {
                await Task.Delay(100);
                restarted = log.Lines.Count(l => l == "[host] Restart of language worker process(es) completed.");
            }

            Assert.Equal(crash, restarted);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(SecureEndpoint.Request("host-test-key-0123456789"))).StatusCode);
        }

        var last = host.WorkerProcessId;
        KillProcess(last);

        Assert.NotEqual(0, await host.WorkerExited.WaitAsync(TimeSpan.FromSeconds(10)));
        await log.WaitForAsync(l => l.StartsWith($"[host] ERROR: the worker process {last} exited unexpectedly", StringComparison.Ordinal) && l.Contains("the 3rd worker error within 30 minutes: the host recycles", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/")).StatusCode);
        Assert.Equal(last, host.WorkerProcessId);
    }

    private static void KillProcess(int processId)
    {
        using var worker = Process.GetProcessById(processId);
        worker.Kill();
    }

    [Fact]
    public async Task AFunctionTimeoutReplacesTheWorkerAndTheNewOneServesFromAnEmptyMemoryOnTheSameTimerSchedules()
    {
        // A protected request waits up to 5 s for the first key load while the vault is slow: past the 1 s timeout.
        var app = TestApps.Copy(hostJson: """{ "version": "2.0", "functionTimeout": "00:00:01", "extensions": { "http": { "routePrefix": "" } } }""");
        var log = new LogCapture();
        var key = TestKeys.NewValue();
        try
        {
            await using var azure = await FakeAzureEnvironment.StartAsync();
            azure.Vault.SetSecret("apikey-timeout", key, tags: KeyTags.EveryFunction);
            azure.Vault.Latency = TimeSpan.FromSeconds(4);
            var environment = azure.WorkerEnvironment(refreshInterval: TimeSpan.FromHours(1));
            environment["ApiKeys__FirstLoadTimeout"] = "00:00:05";
            environment["ApiKeys__PublishSchedule"] = "* * * * * *";
            environment["Logging__LogLevel__FunctionsApiKey"] = "Debug";
            environment["AzureWebJobsStorage"] = null;
            await using var host = await StartAsync(new FunctionsHostOptions { AppDirectory = app, Port = 0, Environment = environment, Log = log });
            using var client = new HttpClient { BaseAddress = host.BaseAddress };
            var firstWorker = host.WorkerProcessId;

            using (var timedOut = await client.SendAsync(SecureEndpoint.Request(key)))
            {
                Assert.Equal(HttpStatusCode.InternalServerError, timedOut.StatusCode);
                Assert.Equal(string.Empty, await timedOut.Content.ReadAsStringAsync());
            }

            Assert.Contains("[host] Timeout value of 00:00:01 was exceeded by function: Functions.SecureEndpoint", log.Lines);
            Assert.Contains(log.Lines, l => l.StartsWith("[host] A function timeout has occurred. Restarting worker process executing invocationId '", StringComparison.Ordinal));
            Assert.Contains("[host] Restart of language worker process(es) completed.", log.Lines);
            Assert.NotEqual(firstWorker, host.WorkerProcessId);
            Assert.False(IsRunning(firstWorker));
            Assert.True(IsRunning(host.WorkerProcessId));
            Assert.False(host.WorkerExited.IsCompleted);
            Assert.DoesNotContain(log.Lines, l => l.Contains("exited unexpectedly", StringComparison.Ordinal));

            // The timer schedules live in the host: the first worker is dead, so a run logged from here on is the new one's.
            await log.WaitForAsync(l => l.StartsWith(TimerWorkerFixture.RunLine, StringComparison.Ordinal), TimeSpan.FromSeconds(10), after: log.Lines.Count);

            // The new worker starts with nothing in memory: it loads the keys itself once the vault is fast again.
            azure.Vault.Latency = TimeSpan.Zero;
            await log.WaitForAsync(l => l.Contains("Loaded 1 API keys from", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
            using (var served = await client.SendAsync(SecureEndpoint.Request(key)))
            {
                Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            }

            using (var refused = await client.SendAsync(SecureEndpoint.Request(TestKeys.NewValue())))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            }
        }
        finally
        {
            Directory.Delete(app, recursive: true);
        }
    }

    [Fact]
    public async Task TheConsoleHostRestartsACrashedWorkerAndExitsNonZeroWhenTheThirdCrashRecyclesIt()
    {
        await using var console = StartConsoleHost();
        var workerId = await ReadWorkerIdAsync(console);
        await ReadLineAsync(console, l => l.StartsWith("[host] Listening on ", StringComparison.Ordinal));
        for (var crash = 1; crash <= 3; crash++)
        {
            if (crash > 1)
            {
                workerId = await ReadWorkerIdAsync(console);
                await ReadLineAsync(console, l => l == "[host] Restart of language worker process(es) completed.");
            }

            KillProcess(workerId);
        }

        await console.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(1, console.Process.ExitCode);
        Assert.Contains("[host] ERROR: the worker exited with code", await console.Process.StandardError.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SigtermStopsTheConsoleHostAndItsWorker()
    {
        await using var console = StartConsoleHost();
        var workerId = await ReadWorkerIdAsync(console);
        var listening = await ReadLineAsync(console, l => l.StartsWith("[host] Listening on ", StringComparison.Ordinal));
        using (var client = new HttpClient { BaseAddress = new Uri(listening["[host] Listening on ".Length..].Split(' ')[0]) })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        }

        await console.TerminateAsync();
        await console.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, console.Process.ExitCode);
        Assert.False(IsRunning(workerId));
    }

    private static async Task<FunctionsHost> StartAsync(FunctionsHostOptions options)
    {
        options.StartupTimeout = TimeSpan.FromSeconds(60);
        return await FunctionsHost.StartAsync(options);
    }

    private static RunningProcess StartConsoleHost() => ChildProcess.Start(
        "dotnet",
        [Path.Combine(AppContext.BaseDirectory, "FunctionApp.TestHost.dll"), "--port", "0"],
        new Dictionary<string, string?> { ["ApiKeys__Keys__host-test"] = "host-test-key-0123456789" },
        Environment.CurrentDirectory);

    private static async Task<int> ReadWorkerIdAsync(RunningProcess console)
    {
        var line = await ReadLineAsync(console, l => l.StartsWith("[host] Started worker process ", StringComparison.Ordinal));
        return int.Parse(line.Split(' ')[4], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<string> ReadLineAsync(RunningProcess console, Func<string, bool> predicate)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await console.Process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (predicate(line))
            {
                return line;
            }
        }

        throw new InvalidOperationException("The console host ended before printing the expected line.");
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
