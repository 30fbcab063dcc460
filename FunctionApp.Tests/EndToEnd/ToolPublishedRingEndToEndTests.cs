using System.Diagnostics;
using FunctionApp.Tests.Tool;
using Xunit.Abstractions;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// <c>dotnet apikeys revoke</c> against an app that follows the shared ring: the tool publishes the next generation
/// itself, with the SharedRing package's publisher, so the real worker refuses the key at its next poll while the
/// publisher timer runs only once a minute.
/// </summary>
public sealed class ToolPublishedRingEndToEndTests(ToolPublishingWorkerFixture worker, ITestOutputHelper output) : IClassFixture<ToolPublishingWorkerFixture>
{
    private const string Published = "FunctionsApiKey.SharedRing: Published key ring generation ";

    [Fact]
    public async Task AKeyRevokedWithTheToolIsRefusedAtTheNextPollWithoutTheTimer()
    {
        Assert.True((await worker.Host.InvokeAsync("PublishKeyRing")).Succeeded);
        Assert.Equal(200, await worker.CallUntilAsync(worker.RevokedLaterKey, 200, TimeSpan.FromSeconds(15)));
        // Keep clear of the timer's run at the top of the minute, so that only the tool can publish the revocation.
        var second = DateTimeOffset.UtcNow.Second;
        if (second > 35)
        {
            await Task.Delay(TimeSpan.FromSeconds(63 - second));
        }

        var publishedByWorker = worker.Log.Lines.Count(l => l.Contains(Published, StringComparison.Ordinal));
        var clock = Stopwatch.StartNew();
        var revoke = await ApiKeysTool.RunAsync(worker.ToolEnvironment(), ["revoke", "revoked-later", "--credential", "managedidentity"]);
        var toolDone = clock.Elapsed;
        var status = await worker.CallUntilAsync(worker.RevokedLaterKey, 401, TimeSpan.FromSeconds(20));
        var refusedAfter = clock.Elapsed;

        revoke.AssertExitCode(0);
        Assert.Contains("Published the shared ring: every instance takes the change at its next poll", revoke.Error, StringComparison.Ordinal);
        Assert.Equal(401, status);
        Assert.Equal(publishedByWorker, worker.Log.Lines.Count(l => l.Contains(Published, StringComparison.Ordinal)));
        Assert.DoesNotContain(worker.Log.Lines, l => l.Contains("reading the vault directly", StringComparison.Ordinal));
        Assert.Equal(200, await worker.CallAsync(worker.Key));
        output.WriteLine($"The tool returned after {toolDone.TotalMilliseconds:F0} ms; the worker refused the key {refusedAfter.TotalMilliseconds:F0} ms after the tool started (poll {ToolPublishingWorkerFixture.PollInterval.TotalSeconds} s).");
    }

    [Fact]
    public async Task AKeyWithATagTheToolDoesNotKnowIsLeftToTheTimer()
    {
        worker.Vault.SetSecret("apikey-regional", Testing.TestKeys.NewValue(), tags: new Dictionary<string, string> { ["scopes"] = "*", ["region"] = "EU" });
        var publishedByWorker = worker.Log.Lines.Count(l => l.Contains(Published, StringComparison.Ordinal));
        ProcessRun revoke;
        try
        {
            revoke = await ApiKeysTool.RunAsync(worker.ToolEnvironment(), ["revoke", "regional", "--credential", "managedidentity"]);
        }
        finally
        {
            // The other test needs a vault whose tags the tool knows.
            worker.Vault.DeleteSecret("apikey-regional");
        }

        revoke.AssertExitCode(0);
        Assert.Contains("The shared ring was not published: key 'regional' has the tag 'region', a property the tool does not know", revoke.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Published the shared ring", revoke.Error, StringComparison.Ordinal);
        Assert.Contains("Revoked 'regional'", revoke.Error, StringComparison.Ordinal);
        Assert.Equal(publishedByWorker, worker.Log.Lines.Count(l => l.Contains(Published, StringComparison.Ordinal)));
    }
}

/// <summary>The shared ring at the shipped defaults the tool's publishing is for: the timer once a minute, a poll every 5 s.</summary>
public sealed class ToolPublishingWorkerFixture : SharedRingWorkerFixture
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);

    protected override string PublishSchedule => "0 * * * * *";

    protected override TimeSpan RingPollInterval => PollInterval;

    // Above the timer's period, so that no instance reads the vault itself: the measurement is the tool's publish alone.
    protected override TimeSpan RingStaleAfter => TimeSpan.FromMinutes(3);
}
