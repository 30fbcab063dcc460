using System.Diagnostics;
using System.Globalization;
using FunctionApp.TestHost;

namespace FunctionApp.Benchmarks.EndToEnd;

/// <summary>
/// Whether a denial tells by its timing that a key is known: the real worker under FunctionApp.TestHost, one client,
/// requests with an unknown key interleaved one by one with requests whose key is known but expired, not yet valid
/// or outside its scopes, or that is revoked and presented for the first time, whose denial gets the once-a-minute
/// Information line. Each kind's median and 25th percentile are compared with the unknown key's in the same run.
/// </summary>
internal static class DenialTimingBenchmark
{
    private const int Runs = 2;

    public static async Task RunAsync(bool quick)
    {
        var now = DateTimeOffset.UtcNow;
        var (expired, future, scoped) = (Micro.KeyCheckBenchmarks.NewKey(), Micro.KeyCheckBenchmarks.NewKey(), Micro.KeyCheckBenchmarks.NewKey());
        var environment = new Dictionary<string, string?>
        {
            ["ApiKeys__Keys__local-dev"] = null,
            ["ApiKeys__Keys__expired"] = expired,
            ["ApiKeys__Keys__expired__ExpiresOn"] = now.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture),
            ["ApiKeys__Keys__future"] = future,
            ["ApiKeys__Keys__future__NotBefore"] = now.AddDays(365).ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture),
            ["ApiKeys__Keys__scoped"] = scoped,
            ["ApiKeys__Keys__scoped__Scopes"] = "Root",
        };

        // Each revoked key is presented once, so every one of its denials is the first of its minute and gets a line.
        var requests = quick ? 50 : 2_000;
        var firstDenials = new Queue<string>();
        for (var i = 0; i < Runs * requests; i++)
        {
            var key = Micro.KeyCheckBenchmarks.NewKey();
            environment[$"ApiKeys__Keys__revoked-{i}"] = key;
            environment[$"ApiKeys__Keys__revoked-{i}__Enabled"] = "false";
            firstDenials.Enqueue(key);
        }

        await using var host = await FunctionsHost.StartAsync(new FunctionsHostOptions { Port = 0, Environment = environment, Log = TextWriter.Null });
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = host.BaseAddress };

        for (var run = 1; run <= Runs; run++)
        {
            Kind[] kinds =
            [
                new("unknown key (401), the baseline", Micro.KeyCheckBenchmarks.NewKey(), 401),
                new("expired key (401)", expired, 401),
                new("not-yet-valid key (401)", future, 401),
                new("key outside its scopes (403)", scoped, 403),
                new("revoked key, first denial in its minute (401)", null, 401, firstDenials),
            ];

            // Warm-up, then one request of each kind in turn, the order rotating, so drift falls on all kinds alike.
            for (var i = 0; i < requests / 10 + 1; i++)
            {
                foreach (var kind in kinds)
                {
                    await SendAsync(client, kind, record: false);
                }
            }

            for (var i = 0; i < requests; i++)
            {
                for (var k = 0; k < kinds.Length; k++)
                {
                    await SendAsync(client, kinds[(i + k) % kinds.Length], record: true);
                }
            }

            var baseline = kinds[0];
            Report.Table($"Denial timing, run {run} of {Runs}: {requests:N0} interleaved requests per kind, 1 client",
                ["request", "p25", "median", "p75", "median − unknown", "p25 − unknown", "wrong status"],
                kinds.Select(k => new[]
                {
                    k.Name, Report.N(k.Percentile(25), 1) + " µs", Report.N(k.Percentile(50), 1) + " µs", Report.N(k.Percentile(75), 1) + " µs",
                    Report.N(k.Percentile(50) - baseline.Percentile(50), 1) + " µs", Report.N(k.Percentile(25) - baseline.Percentile(25), 1) + " µs", Report.N(k.WrongStatus),
                }));
        }

        Report.Line("Target: every known-key denial's median within 5 µs of the unknown key's.");
    }

    private static async Task SendAsync(HttpClient client, Kind kind, bool record)
    {
        if (kind.Take(record) is not { } key)
        {
            return;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/secure-endpoint") { Headers = { { "api-key", key } } };
        var start = Stopwatch.GetTimestamp();
        using var response = await client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        if (!record)
        {
            return;
        }

        kind.Latencies.Add(elapsed);
        if ((int)response.StatusCode != kind.ExpectedStatus)
        {
            kind.WrongStatus++;
        }
    }

    /// <summary>One kind of request: the key every request presents, or none and a key of its own from <c>fresh</c> for each measured request.</summary>
    private sealed class Kind(string name, string? key, int expectedStatus, Queue<string>? fresh = null)
    {
        private List<double>? _sorted;

        public string Name { get; } = name;

        /// <summary>The key to present; null where a fresh key would be spent on a request that is not measured.</summary>
        public string? Take(bool record) => fresh is null ? key : record ? fresh.Dequeue() : null;

        public int ExpectedStatus { get; } = expectedStatus;

        public List<double> Latencies { get; } = [];

        public int WrongStatus { get; set; }

        public double Percentile(double p) => Report.Percentile(_sorted ??= [.. Latencies.Order()], p);
    }
}
