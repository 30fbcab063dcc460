using System.Collections.Immutable;
using Azure.Data.Tables;
using FunctionApp.Testing;
using FunctionApp.Testing.Storage;
using FunctionsApiKey;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.LastUse;
using FunctionsApiKey.Policies;
using FunctionsApiKey.Usage;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionApp.Benchmarks.Quota;

/// <summary>
/// How far a quota shared through the usage table overshoots: several instances in one process, each with the real
/// gate (ring, policy book, usage cells) and the real usage writer, against the real table on Azurite, on a simulated
/// clock that runs from before a UTC midnight to after it. Each instance's minute round comes at its own offset, as
/// instances started at different times do. Reported per UTC day: admitted − quota, against one flush interval of the
/// fleet's traffic, the documented bound.
/// </summary>
internal static class QuotaBenchmark
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    public static async Task RunAsync(bool quick)
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var tables = new TableServiceClient(azurite.ConnectionString, new TableClientOptions { Transport = azurite.CreateTransport() });
        var rows = new List<string[]>();
        (int Instances, int PerSecond)[] runs = quick ? [(2, 10)] : [(2, 20), (4, 20), (8, 10)];
        foreach (var (instances, perSecond) in runs)
        {
            rows.AddRange(await RunAsync(tables.GetTableClient("quota" + Guid.NewGuid().ToString("N")), instances, perSecond, quick));
        }

        Report.Table(
            "Quota across instances through the usage table (Azurite), simulated clock 23:57 → 00:0x UTC",
            ["instances", "req/s each", "quota/day", "UTC day", "admitted", "admitted − quota", "one flush interval of traffic", "overshoot / interval"],
            rows);
    }

    private static async Task<IEnumerable<string[]>> RunAsync(TableClient table, int instanceCount, int perSecond, bool quick)
    {
        var midnight = new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero);
        var clock = new SimulatedClock(midnight.AddMinutes(-3));
        var end = midnight.AddMinutes(quick ? 3 : 6);
        var interval = MinuteRounds.Interval;
        var fleetPerSecond = instanceCount * perSecond;

        // Two minutes of the fleet's traffic: used up within each day's part of the run.
        var quota = fleetPerSecond * 120 / 2;
        var store = new UsageTable(table);
        var value = TestKeys.NewValue();
        var key = ApiKey.FromValue("partner", value) with { Properties = ImmutableDictionary<string, string>.Empty.Add("Quota", $"{quota}/day") };
        var instances = Enumerable.Range(0, instanceCount).Select(i =>
        {
            var book = new PolicyBook(NullLoggerFactory.Instance);
            var recorder = new UsageRecorder();
            var ring = KeyRingSnapshot.Create([key], "bench", clock.GetUtcNow(), lastUse: null, recorder, book, out _);
            var writer = new UsageWriter(recorder, store, clock, NullLoggerFactory.Instance, book);
            return (Ring: ring, Writer: writer, NextRound: clock.GetUtcNow().AddTicks(interval.Ticks * i / instanceCount));
        }).ToArray();

        var admitted = new Dictionary<DateTimeOffset, long>();
        var perStep = perSecond * Step.TotalSeconds;
        var owed = new double[instanceCount];
        while (clock.GetUtcNow() < end)
        {
            for (var i = 0; i < instanceCount; i++)
            {
                if (clock.GetUtcNow() >= instances[i].NextRound)
                {
                    await instances[i].Writer.RoundAsync(CancellationToken.None);
                    instances[i].NextRound += interval;
                }

                owed[i] += perStep;
                for (; owed[i] >= 1; owed[i]--)
                {
                    if (ApiKeyValidator.Decide(value, instances[i].Ring, "any", clock.GetUtcNow()).Outcome == ApiKeyOutcome.Allowed)
                    {
                        var day = new DateTimeOffset(clock.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
                        admitted[day] = admitted.GetValueOrDefault(day) + 1;
                    }
                }
            }

            clock.Advance(Step);
        }

        var flushTraffic = (long)(fleetPerSecond * interval.TotalSeconds);
        return admitted.OrderBy(d => d.Key).Select(d => new[]
        {
            Report.N(instanceCount), Report.N(perSecond), Report.N(quota), d.Key.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Report.N(d.Value), Report.N(d.Value - quota), Report.N(flushTraffic), Report.N((double)(d.Value - quota) / flushTraffic, 2),
        });
    }

    /// <summary>
    /// Fills the usage table of <paramref name="connectionString"/> (<c>apikeyusage</c>) for a key named
    /// <paramref name="keyName"/> with the last three UTC days of a made-up daily load, run through the real gate and
    /// writer of two instances on a simulated clock: requests for a function outside the key's scopes (denied), and a
    /// quota of 20,000/day that the busiest hours run into (over limit). For the picture in the tool's README.
    /// </summary>
    public static async Task SeedAsync(string connectionString, string keyName)
    {
        var store = new UsageTable(new TableServiceClient(connectionString).GetTableClient(LastUseDefaults.UsageTableName));
        var now = DateTimeOffset.UtcNow;
        var clock = new SimulatedClock(new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-2));
        var value = TestKeys.NewValue();
        var key = ApiKey.FromValue(keyName, value) with
        {
            Scopes = ["Orders"],
            Properties = ImmutableDictionary<string, string>.Empty.Add("Quota", "20000/day"),
        };
        var instances = Enumerable.Range(0, 2).Select(i =>
        {
            var book = new PolicyBook(NullLoggerFactory.Instance);
            var recorder = new UsageRecorder();
            var ring = KeyRingSnapshot.Create([key], "seed", clock.GetUtcNow(), lastUse: null, recorder, book, out _);
            return (Ring: ring, Writer: new UsageWriter(recorder, store, clock, NullLoggerFactory.Instance, book));
        }).ToArray();

        var random = new Random(19);
        while (clock.GetUtcNow() < now)
        {
            // A working day's curve: quiet at night, busiest mid-afternoon, a little noise.
            var hour = clock.GetUtcNow().Hour + clock.GetUtcNow().Minute / 60.0;
            var perMinute = (int)(4 + 60 * Math.Exp(-Math.Pow((hour - 14) / 3.5, 2)) * (0.8 + 0.4 * random.NextDouble()));
            foreach (var (ring, writer) in instances)
            {
                for (var i = 0; i < perMinute; i++)
                {
                    ApiKeyValidator.Decide(value, ring, "Orders", clock.GetUtcNow());
                }

                for (var i = random.Next(0, perMinute / 20 + 1); i > 0; i--)
                {
                    ApiKeyValidator.Decide(value, ring, "Reports", clock.GetUtcNow());
                }

                await writer.RoundAsync(CancellationToken.None);
            }

            clock.Advance(TimeSpan.FromMinutes(1));
        }
    }

    /// <summary>A clock the benchmark moves itself, so a run of minutes takes seconds and crosses midnight on cue.</summary>
    private sealed class SimulatedClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
