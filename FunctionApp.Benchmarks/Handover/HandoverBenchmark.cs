using FunctionApp.Testing.Fleet;

namespace FunctionApp.Benchmarks.Handover;

/// <summary>
/// Three instances of the unchanged FunctionApp, each under its own test host and worker process, sharing one Azurite
/// and one fake vault, with keys from the shared ring: one holds the PublishKeyRing timer's listener lease and publishes.
/// It is killed as a crash would end it (its lease left to expire) while a key is revoked in the vault; the survivors are
/// polled every 100 ms with a valid key and the revoked one. Full run: the host's default lease (60 s, retried every
/// minute) and the sample's schedule (every 10 s); --quick: the shortest the host accepts (15 s, 15 s) and every second.
/// </summary>
internal static class HandoverBenchmark
{
    public static async Task RunAsync(bool quick)
    {
        TimeSpan? lease = quick ? TimeSpan.FromSeconds(15) : null;
        var schedule = quick ? "* * * * * *" : "*/10 * * * * *";
        var leaseText = quick ? "15 s, retried every 15 s" : "60 s, retried every 60 s (the host's defaults)";
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var fleet = await SharedRingFleet.StartAsync(3, schedule, lease, lease, TimeSpan.FromMinutes(3));
        var ready = clock.Elapsed;
        var steady = await fleet.ObserveAsync(TimeSpan.FromSeconds(quick ? 3 : 30));
        var handover = await fleet.HandOverAsync(TimeSpan.FromMinutes(quick ? 1 : 3));
        var perMinute = steady.VaultRequests * 60 / steady.Window.TotalSeconds;

        Report.Table($"Publisher handover: 3 instances, shared ring, lease {leaseText}, PublishKeyRing '{schedule}'",
            ["measure", "value"],
            [
                ["publishers at once (steady, sampled every 100 ms)", Report.N(steady.MostPublishersAtOnce)],
                ["publisher runs per instance (steady window)", $"{string.Join(" / ", steady.TimerRuns)} in {steady.Window.TotalSeconds:F0} s"],
                ["vault requests per minute (steady, one publisher)", Report.N(perMinute)],
                ["handover: publisher killed → first run on another instance", Report.Ms(handover.Handover.TotalMilliseconds)],
                ["vault requests during the handover", Report.N(handover.VaultRequestsDuringHandover)],
                ["key revoked at the kill: refused by every survivor after", Report.Ms(handover.RevokedKeyRefusedEverywhere.TotalMilliseconds)],
                ["valid-key answers on the survivors during it (not 200)", $"{Report.N(handover.KeyAnswers)} ({Report.N(handover.KeyFailures.Count)})"],
                ["publishers at once during the handover", Report.N(handover.MostPublishersAtOnce)],
            ]);
        clock.Restart();
        await fleet.DisposeAsync();
        var stopped = clock.Elapsed;
        Report.Line($"Fleet ready after {ready.TotalSeconds:F1} s; stopped in {stopped.TotalSeconds:F1} s.");
        Report.Line("A handover takes what is left of the dead instance's lease (up to a period) plus up to one retry interval, then up to one schedule period before the first run.");
    }
}
