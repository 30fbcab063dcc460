using System.Net;
using System.Text;
using FunctionApp.TestHost;
using FunctionApp.Testing;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// The sample app's timer function (<c>PublishKeyRing</c>, from the shared-ring package) under the test host: on its
/// schedule, through the admin API, through <see cref="FunctionsHost.InvokeAsync"/>, and with a schedule that does not
/// resolve. That the schedule outlives a worker restart is checked with the restart itself, in <see cref="TestHostTests"/>.
/// </summary>
public sealed class TimerEndToEndTests(TimerWorkerFixture worker) : IClassFixture<TimerWorkerFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TheTimerFunctionRunsInTheWorkerOnItsSchedule()
    {
        var fired = await worker.Log.WaitForAsync(l => l.StartsWith("[host] Executing 'Functions.PublishKeyRing' (Reason='Timer fired at ", StringComparison.Ordinal), Bound);

        await worker.Log.WaitForAsync(l => l.StartsWith($"[host] Executed 'Functions.PublishKeyRing' (Succeeded, Id={InvocationId(fired)},", StringComparison.Ordinal), Bound);
        Assert.Contains(worker.Log.Lines, l => l.StartsWith(TimerWorkerFixture.RunLine, StringComparison.Ordinal));
        Assert.Contains("[host] The next 5 occurrences of the 'PublishKeyRing' schedule (Cron: '* * * * * *') will be:", worker.Log.Lines);
        Assert.Contains("[host]   PublishKeyRing: timerTrigger", worker.Log.Lines);
        Assert.Empty(worker.Host.FunctionErrors);
    }

    [Fact]
    public async Task TheAdminApiRunsTheTimerFunctionNowAndAnswers202()
    {
        var before = worker.Log.Lines.Count;
        using var response = await PostAdminAsync("/admin/functions/PublishKeyRing", """{"input": ""}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());

        // By the time 202 arrives the run has started (the host answers before even that), and it then ends in the worker.
        var executing = Assert.Single(
            worker.Log.Lines.Skip(before),
            l => l.StartsWith("[host] Executing 'Functions.PublishKeyRing' (Reason='This function was programmatically called via the host APIs.'", StringComparison.Ordinal));
        await worker.Log.WaitForAsync(l => l.StartsWith($"[host] Executed 'Functions.PublishKeyRing' (Succeeded, Id={InvocationId(executing)},", StringComparison.Ordinal), Bound);
    }

    [Fact]
    public async Task TheAdminApiAnswersAsTheHostForUnknownFunctionsHttpFunctionsAndBadBodies()
    {
        using (var unknown = await PostAdminAsync("/admin/functions/NoSuchFunction", """{"input": ""}"""))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal(string.Empty, await unknown.Content.ReadAsStringAsync());
        }

        using (var http = await PostAdminAsync("/admin/functions/SecureEndpoint", """{"input": ""}"""))
        {
            // Accepted, then the HTTP trigger's binding refuses a string: nothing reaches the worker.
            Assert.Equal(HttpStatusCode.Accepted, http.StatusCode);
            await worker.Log.WaitForAsync(l => l.StartsWith("[host] Executed 'Functions.SecureEndpoint' (Failed", StringComparison.Ordinal) && l.EndsWith(": An HttpRequest is required", StringComparison.Ordinal), Bound);
        }

        using (var notJson = await PostAdminAsync("/admin/functions/PublishKeyRing", """{"input": ""}""", "text/plain"))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        }

        using (var malformed = await PostAdminAsync("/admin/functions/PublishKeyRing", """{"input": """))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
            Assert.Equal(string.Empty, await malformed.Content.ReadAsStringAsync());
        }

        Assert.DoesNotContain(worker.Log.Lines, l => l.Contains("SecureEndpoint denied", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvokeAsyncCompletesWhenTheWorkerHasAnswered()
    {
        var result = await worker.Host.InvokeAsync("publishkeyring").WaitAsync(Bound);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("PublishKeyRing", result.FunctionName);
        Assert.Contains(worker.Log.Lines, l => l.StartsWith($"[host] Executed 'Functions.PublishKeyRing' (Succeeded, Id={result.InvocationId},", StringComparison.Ordinal));

        var http = await worker.Host.InvokeAsync("SecureEndpoint").WaitAsync(Bound);
        Assert.False(http.Succeeded);
        Assert.Equal("An HttpRequest is required", http.Error);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => worker.Host.InvokeAsync("NoSuchFunction"));
    }

    [Fact]
    public async Task AScheduleThatDoesNotResolvePutsOnlyTheTimerInErrorAsTheHostDoes()
    {
        var log = new LogCapture();
        var environment = new Dictionary<string, string?> { ["ApiKeys__PublishSchedule"] = null };
        await using var host = await FunctionsHost.StartAsync(new FunctionsHostOptions { Port = 0, Environment = environment, Log = log, StartupTimeout = TimeSpan.FromSeconds(60) });
        using var client = new HttpClient { BaseAddress = host.BaseAddress };

        const string Error = "Microsoft.Azure.WebJobs.Host: Error indexing method 'Functions.PublishKeyRing'. Microsoft.Azure.WebJobs.Host: '%ApiKeys:PublishSchedule%' does not resolve to a value.";
        Assert.Equal(Error, host.FunctionErrors["PublishKeyRing"]);
        Assert.Contains($"[host] ERROR: The 'PublishKeyRing' function is in error: {Error}", log.Lines);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);

        // The host loaded it, so the admin API accepts it, but it cannot be called and never runs on a schedule.
        var result = await host.InvokeAsync("PublishKeyRing").WaitAsync(Bound);
        Assert.Equal("'PublishKeyRing' can't be invoked from Azure WebJobs SDK. Is it missing Azure WebJobs SDK attributes?", result.Error);
        Assert.DoesNotContain(log.Lines, l => l.Contains("schedule (", StringComparison.Ordinal) || l.Contains("PublishKeyRing has nothing to do", StringComparison.Ordinal));
    }

    /// <summary>The id in an "Executing '…' (Reason='…', Id=…)" line.</summary>
    private static string InvocationId(string executing) => executing[(executing.LastIndexOf("Id=", StringComparison.Ordinal) + 3)..^1];

    private async Task<HttpResponseMessage> PostAdminAsync(string path, string body, string contentType = "application/json")
    {
        using var content = new StringContent(body, Encoding.UTF8, contentType);
        return await worker.Client.PostAsync(path, content);
    }
}
