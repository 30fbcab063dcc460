using System.Diagnostics;
using System.Reflection;
using FunctionApp.TestHost;

namespace FunctionApp.Benchmarks.EndToEnd;

/// <summary>
/// The real workers of both HTTP models under FunctionApp.TestHost, FunctionApp (built-in, <c>HttpRequestData</c> over
/// gRPC) and FunctionApp.AspNetCore (ASP.NET Core integration, the request forwarded to the worker's Kestrel), loaded
/// over loopback HTTP by an in-process .NET client. For each model, three kinds of request are interleaved round by
/// round with the other model's, so the machine's noise falls on all of them alike:
/// <list type="bullet">
/// <item><c>GET /secure-endpoint</c> with a valid key: the key check and the function;</item>
/// <item><c>GET /</c> with the same header: the same request and work without a key check (an anonymous function
/// writing a small JSON body);</item>
/// <item><c>GET /secure-endpoint</c> without a key: the 401 path.</item>
/// </list>
/// </summary>
internal static class EndToEndBenchmark
{
    private const int Clients = 16;

    private static readonly string AspNetCoreApp = typeof(EndToEndBenchmark).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "AspNetCoreAppDirectory").Value!;

    /// <param name="quick">Run briefly, to prove the benchmark works.</param>
    /// <param name="debugLogs">Turn on the apps' per-request Debug log lines, to measure what they cost.</param>
    public static async Task RunAsync(bool quick, bool debugLogs)
    {
        var key = Micro.KeyCheckBenchmarks.NewKey();
        var environment = new Dictionary<string, string?> { ["ApiKeys__Keys__local-dev"] = null, ["ApiKeys__Keys__bench"] = key, ["AzureWebJobsDisableHomepage"] = "true" };
        if (debugLogs)
        {
            environment["Logging__LogLevel__FunctionApp"] = "Debug";
        }

        await using var builtIn = await FunctionsHost.StartAsync(new FunctionsHostOptions { Port = 0, Environment = environment, Log = TextWriter.Null });
        await using var aspNetCore = await FunctionsHost.StartAsync(new FunctionsHostOptions { AppDirectory = AspNetCoreApp, Port = 0, Environment = environment, Log = TextWriter.Null });
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = Clients * 2 });

        Model[] models = [new("built-in", builtIn, key), new("ASP.NET Core", aspNetCore, key)];
        var variants = models.SelectMany(m => m.Variants).ToArray();

        // Many short rounds: the machine is shared, and its load drifts over seconds.
        var rounds = quick ? 1 : 20;
        var loaded = TimeSpan.FromSeconds(quick ? 0.3 : 1);
        var single = TimeSpan.FromSeconds(quick ? 0.2 : 0.5);
        foreach (var variant in variants)
        {
            await RunAsync(client, variant, Clients, TimeSpan.FromSeconds(quick ? 0.2 : 2), record: false);
        }

        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < variants.Length; i++)
            {
                var variant = variants[(round + i) % variants.Length];
                var cpu = WorkerCpu(variant.Host.WorkerProcessId);
                var count = variant.Loaded.Count;
                await RunAsync(client, variant, Clients, loaded, record: true);
                variant.WorkerCpu += WorkerCpu(variant.Host.WorkerProcessId) - cpu;
                variant.WorkerCpuRequests += variant.Loaded.Count - count;
                await RunAsync(client, variant, 1, single, record: true);
            }
        }

        Report.Table($"End to end{(debugLogs ? ", per-request Debug logs on" : string.Empty)}: {rounds} interleaved rounds of {loaded.TotalSeconds:0.#} s with {Clients} clients and {single.TotalSeconds:0.#} s with 1 client each",
            ["HTTP model", "request", $"requests/s ({Clients} clients)", "p50", "p99", "p50 (1 client)", "p99 (1 client)", "worker CPU per request", "wrong status"],
            variants.Select(v => new[]
            {
                v.Model, v.Name, Report.N(v.Loaded.Throughput), Report.Us(v.Loaded.Percentile(50)), Report.Us(v.Loaded.Percentile(99)),
                Report.Us(v.Single.Percentile(50)), Report.Us(v.Single.Percentile(99)),
                Report.N(v.WorkerCpu.TotalMicroseconds / v.WorkerCpuRequests, 1) + " µs", Report.N(v.WrongStatus),
            }));

        // Each round's ratio compares runs seconds apart, so drift in the machine's load cancels out; the median of
        // the rounds is the figure, and their range shows the noise.
        foreach (var model in models)
        {
            var (secure, root) = (model.Variants[0], model.Variants[1]);
            var ratios = secure.Loaded.RoundThroughputs.Zip(root.Loaded.RoundThroughputs, (s, r) => s / r).Order().ToList();
            Report.Line($"{model.Name}: throughput ratio, valid key ÷ no key check: {Report.Median(ratios):F3} (median of {ratios.Count} rounds, range {ratios[0]:F3}–{ratios[^1]:F3}; "
                + $"all requests pooled: {secure.Loaded.Throughput / root.Loaded.Throughput:F3}; target ≥ 0.97); "
                + $"worker CPU per request, valid key − no key check: {(secure.WorkerCpu.TotalMicroseconds / secure.WorkerCpuRequests) - (root.WorkerCpu.TotalMicroseconds / root.WorkerCpuRequests):F1} µs");
            Report.Line($"{model.Name}: median latency difference, valid key − no key check: {secure.Single.Percentile(50) - root.Single.Percentile(50):F1} µs with 1 client, "
                + $"{secure.Loaded.Percentile(50) - root.Loaded.Percentile(50):F1} µs with {Clients} clients (target ≤ 30 µs)");
        }
    }

    /// <summary>User plus system CPU time the worker process has used so far (Linux /proc; zero elsewhere).</summary>
    private static TimeSpan WorkerCpu(int processId)
    {
        var stat = $"/proc/{processId}/stat";
        if (!File.Exists(stat))
        {
            return TimeSpan.Zero;
        }

        // Fields after the command name (which is in parentheses and may contain spaces): utime is the 14th, stime the 15th.
        var fields = File.ReadAllText(stat).Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    private static async Task RunAsync(HttpClient client, Variant variant, int clients, TimeSpan duration, bool record)
    {
        var samples = new List<double>[clients];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = samples[c] = new List<double>(4096);
            while (clock.Elapsed < duration)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, variant.Uri);
                if (variant.Key is not null)
                {
                    request.Headers.Add("api-key", variant.Key);
                }

                var start = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                if ((int)response.StatusCode != variant.ExpectedStatus)
                {
                    Interlocked.Increment(ref variant.WrongStatus);
                }
            }
        })));

        if (record)
        {
            (clients == 1 ? variant.Single : variant.Loaded).Add(samples.SelectMany(s => s), clock.Elapsed);
        }
    }

    /// <summary>One HTTP model's app under its own host, and the three requests measured against it.</summary>
    private sealed class Model(string name, FunctionsHost host, string key)
    {
        public string Name { get; } = name;

        public Variant[] Variants { get; } =
        [
            new(name, host, "secure endpoint, valid key (200)", "/secure-endpoint", key, 200),
            new(name, host, "root, same header, no key check (200)", "/", key, 200),
            new(name, host, "secure endpoint, no key (401)", "/secure-endpoint", null, 401),
        ];
    }

    private sealed class Variant(string model, FunctionsHost host, string name, string path, string? key, int expectedStatus)
    {
        public int WrongStatus;

        public string Model { get; } = model;

        public FunctionsHost Host { get; } = host;

        public Uri Uri { get; } = new(host.BaseAddress, path);

        public TimeSpan WorkerCpu { get; set; }

        public long WorkerCpuRequests { get; set; }

        public string Name { get; } = name;

        public string? Key { get; } = key;

        public int ExpectedStatus { get; } = expectedStatus;

        public Samples Loaded { get; } = new();

        public Samples Single { get; } = new();
    }

    private sealed class Samples
    {
        private readonly List<double> _latencies = [];
        private TimeSpan _time;
        private List<double>? _sorted;

        public double Throughput => _latencies.Count / _time.TotalSeconds;

        public int Count => _latencies.Count;

        /// <summary>Requests per second of each round, in order.</summary>
        public List<double> RoundThroughputs { get; } = [];

        public void Add(IEnumerable<double> latencies, TimeSpan time)
        {
            var before = _latencies.Count;
            _latencies.AddRange(latencies);
            RoundThroughputs.Add((_latencies.Count - before) / time.TotalSeconds);
            _time += time;
            _sorted = null;
        }

        public double Percentile(double p) => Report.Percentile(_sorted ??= [.. _latencies.Order()], p);
    }
}
