using FunctionApp.TestHost;
using FunctionApp.Testing;
using FunctionApp.Testing.Fleet;
using Xunit.Abstractions;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// The timer's listener lease with real workers: without storage every instance runs the timer; with storage, three
/// instances of the shared-ring app (one Azurite, one vault) publish one at a time, and when the publisher dies another
/// takes over while every survivor keeps serving keys and, once the new publisher runs, refuses a key revoked meanwhile.
/// </summary>
public sealed class ListenerLeaseEndToEndTests(ITestOutputHelper output)
{
    /// <summary>The shortest lease and retry the host accepts, so a handover takes seconds rather than minutes.</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task WithoutStorageEveryInstanceRunsTheTimer()
    {
        var environment = new Dictionary<string, string?>
        {
            ["ApiKeys__Keys__local-dev"] = null,
            ["ApiKeys__Keys__e2e"] = TestKeys.NewValue(),
            ["ApiKeys__PublishSchedule"] = "* * * * * *",
            ["Logging__LogLevel__FunctionsApiKey"] = "Debug",
            ["AzureWebJobsStorage"] = null,
            ["AzureWebJobsStorage__blobServiceUri"] = null,
            ["AzureWebJobsStorage__accountName"] = null,
        };
        var logs = new[] { new LogCapture(), new LogCapture() };
        await using var first = await FunctionsHost.StartAsync(new FunctionsHostOptions { Port = 0, Environment = environment, Log = logs[0] });
        await using var second = await FunctionsHost.StartAsync(new FunctionsHostOptions { Port = 0, Environment = environment, Log = logs[1] });

        foreach (var log in logs)
        {
            Assert.Contains(log.Lines, l => l.Contains("listener locks in memory (no AzureWebJobsStorage): this instance runs every timer.", StringComparison.Ordinal));
            await log.WaitForAsync(l => l.StartsWith(TimerWorkerFixture.RunLine, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        }

        Assert.Equal(first.HostId, second.HostId);
        Assert.Equal(["PublishKeyRing"], first.ListeningTimers);
        Assert.Equal(["PublishKeyRing"], second.ListeningTimers);
    }

    [Fact]
    public async Task ThreeInstancesPublishOneAtATimeAndWhenThePublisherDiesAnotherTakesOverWithoutAGapInService()
    {
        await using var fleet = await SharedRingFleet.StartAsync(3, "* * * * * *", Lease, Lease, TimeSpan.FromSeconds(90));
        var first = fleet.Instances.Single(i => i.IsPublisher);
        Assert.All(fleet.Instances, i => Assert.Contains(i.Log.Lines, l => l.Contains($"listener locks are blob leases in azure-webjobs-hosts/locks/{i.Host.HostId}/ (lease 00:00:15, retry every 00:00:15)", StringComparison.Ordinal)));

        var steady = await fleet.ObserveAsync(TimeSpan.FromSeconds(5));
        output.WriteLine($"Steady: runs per instance {string.Join('/', steady.TimerRuns)}, vault list requests {steady.VaultListRequests}, vault requests {steady.VaultRequests}.");
        Assert.Equal(1, steady.MostPublishersAtOnce);
        Assert.InRange(steady.TimerRuns[first.Number - 1], 3, 7);
        Assert.Equal(0, steady.TimerRuns.Sum() - steady.TimerRuns[first.Number - 1]);

        // One publisher lists the vault once a run: three would list it three times as often.
        Assert.InRange(steady.VaultListRequests, 3, steady.TimerRuns.Sum() + 1);

        var handover = await fleet.HandOverAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"Handover: instance {handover.Killed} killed, instance {handover.TookOver} ran the publisher after {handover.Handover.TotalSeconds:F1} s; vault requests meanwhile {handover.VaultRequestsDuringHandover}; revoked key refused everywhere after {handover.RevokedKeyRefusedEverywhere.TotalSeconds:F1} s; {handover.KeyAnswers} answers to the valid key, {handover.KeyFailures.Count} not 200.");

        Assert.Equal(first.Number, handover.Killed);
        Assert.NotEqual(handover.Killed, handover.TookOver);
        Assert.Equal(1, handover.MostPublishersAtOnce);

        // The dead instance's lease runs out within 15 s of its last renewal, and the others try every 15 s.
        Assert.True(handover.Handover <= Lease + Lease + TimeSpan.FromSeconds(3), $"Handover took {handover.Handover}.");

        // Nobody publishes while the lease is orphaned, and no instance reads the vault itself: at most the dying
        // publisher's last run in flight.
        Assert.InRange(handover.VaultRequestsDuringHandover, 0, 2);
        Assert.True(handover.KeyAnswers >= 20, $"Only {handover.KeyAnswers} answers.");
        Assert.Empty(handover.KeyFailures);

        // The revocation reaches the survivors through the new publisher: within a publish, a poll and a load of its run.
        Assert.True(handover.RevokedKeyRefusedEverywhere >= handover.Handover - TimeSpan.FromSeconds(1), $"Refused at {handover.RevokedKeyRefusedEverywhere}, before the new publisher ran at {handover.Handover}.");
        Assert.True(handover.RevokedKeyRefusedEverywhere - handover.Handover < TimeSpan.FromSeconds(5), $"Refused {handover.RevokedKeyRefusedEverywhere - handover.Handover} after the new publisher ran.");

        var after = await fleet.ObserveAsync(TimeSpan.FromSeconds(3));
        Assert.Equal(1, after.MostPublishersAtOnce);
        Assert.True(fleet.Instances[handover.TookOver - 1].IsPublisher);
        Assert.Equal(0, after.TimerRuns[handover.Killed - 1]);
    }
}
