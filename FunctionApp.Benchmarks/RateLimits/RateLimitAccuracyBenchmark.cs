using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Collections.Immutable;
using FunctionApp.Testing.Redis;
using FunctionsApiKey;
using FunctionsApiKey.Policies;
using FunctionsApiKey.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionApp.Benchmarks.RateLimits;

/// <summary>
/// A shared rate limit's accuracy: 10 instances in this process, each with its own Redis client, budgets and refiller
/// on its real timer, against one Garnet server; each offered twice its fair share, so together twice the limit. Prints
/// the requests admitted per one-second window against the limit; then the same instances without the store; then the
/// store stopped half way: requests that threw (a 5xx in the app) and the warnings each instance logged.
/// </summary>
internal static class RateLimitAccuracyBenchmark
{
    private const int Instances = 10;
    private const long LimitPerSecond = 1_000;


    /// <param name="quick">Seconds instead of a minute.</param>
    /// <param name="burst">
    /// The limit's burst; null for the default, the count. A token bucket lets a one-second window admit its rate plus
    /// what it saved up, up to its burst, so a window after a lull may rightly admit more than the rate.
    /// </param>
    /// <param name="server">
    /// A Redis-protocol server already running (<c>host:port</c>) to measure the shared part against instead of Garnet,
    /// e.g. Debian's <c>redis-server</c>: Garnet's <c>TIME</c>, which the store's script reads, was seen to lag the wall
    /// clock by up to a second and then catch up, which shows as error per window that is the server's, not the
    /// algorithm's (FunctionApp.Benchmarks/README.md).
    /// </param>
    public static async Task RunAsync(bool quick, long? burst, string? server = null)
    {
        var limit = burst is { } b ? $"{LimitPerSecond}/s burst {b}" : $"{LimitPerSecond}/s";
        var shared = quick ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(60);
        var alone = quick ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(10);
        var outage = quick ? TimeSpan.FromSeconds(4) : TimeSpan.FromSeconds(20);
        Console.WriteLine();
        Console.WriteLine($"Rate limit {limit} shared by {Instances} instances, each offered {2 * LimitPerSecond / Instances}/s (together twice the limit)");

        if (server is not null)
        {
            Print($"With the store ({server})", await RunAsync(server, limit, shared, stopServerAt: null, server: null), skipFirst: true);
            return;
        }

        using (var garnet = GarnetRedisServer.Started())
        {
            var run = await RunAsync(garnet.ConnectionString, limit, shared, stopServerAt: null, garnet);
            Print("With the store (Garnet)", run, skipFirst: true);
        }

        var perInstance = await RunAsync(connectionString: null, limit, alone, stopServerAt: null, server: null);
        Print("Without the store (each instance counts alone)", perInstance, skipFirst: false);

        using (var stopped = GarnetRedisServer.Started())
        {
            var down = await RunAsync(stopped.ConnectionString, limit, outage, stopServerAt: outage / 2, stopped);
            Print($"With the store, stopped after {outage.TotalSeconds / 2:0} s", down, skipFirst: true);
            Console.WriteLine($"Requests that threw (a 5xx in the app): {down.Exceptions}; warnings logged per instance (event 70): {string.Join(", ", down.Warnings)}");
        }
    }

    private static async Task<Run> RunAsync(string? connectionString, string limit, TimeSpan duration, TimeSpan? stopServerAt, GarnetRedisServer? server)
    {
        var windows = (int)Math.Ceiling(duration.TotalSeconds);
        var admitted = new long[windows + 1];
        var exceptions = 0L;
        var instances = Enumerable.Range(0, Instances).Select(_ => new Instance(connectionString, limit)).ToList();
        try
        {
            foreach (var instance in instances)
            {
                await instance.StartAsync();
            }

            var clock = Stopwatch.StartNew();
            var perInstance = 2.0 * LimitPerSecond / Instances;
            var drivers = instances.Select(instance => Task.Run(async () =>
            {
                var offered = 0L;
                while (clock.Elapsed < duration)
                {
                    var due = (long)(clock.Elapsed.TotalSeconds * perInstance);
                    for (; offered < due; offered++)
                    {
                        try
                        {
                            if (instance.Admit())
                            {
                                Interlocked.Increment(ref admitted[(int)clock.Elapsed.TotalSeconds]);
                            }
                        }
                        catch (Exception)
                        {
                            Interlocked.Increment(ref exceptions);
                        }
                    }

                    await Task.Delay(5);
                }
            })).ToList();

            if (stopServerAt is { } at)
            {
                await Task.Delay(at);
                server!.Stop();
            }

            await Task.WhenAll(drivers);
            return new Run(admitted[..windows], exceptions, [.. instances.Select(i => i.Warnings)]);
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
        }
    }

    private static void Print(string title, Run run, bool skipFirst)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine("| Window (s) | Admitted | Limit | Error |");
        Console.WriteLine("|---:|---:|---:|---:|");
        for (var i = 0; i < run.Admitted.Length; i++)
        {
            Console.WriteLine($"| {i}–{i + 1} | {run.Admitted[i]:N0} | {LimitPerSecond:N0} | {Error(run.Admitted[i]):+0.0;-0.0;0.0} % |");
        }

        var counted = run.Admitted.Skip(skipFirst ? 1 : 0).ToList();
        Console.WriteLine($"Max error{(skipFirst ? " after the first window (the bucket starts full: its burst)" : string.Empty)}: {counted.Max(a => Math.Abs(Error(a))):0.0} %, over {counted.Count} windows; total admitted {run.Admitted.Sum():N0}");
    }

    private static double Error(long admitted) => 100.0 * (admitted - LimitPerSecond) / LimitPerSecond;

    private sealed record Run(long[] Admitted, long Exceptions, int[] Warnings);

    /// <summary>One app instance's rate-limit path, wired as the gate wires it, its refiller on its real timer.</summary>
    private sealed class Instance : IAsyncDisposable
    {
        private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        private readonly RedisBudgetStore? _store;
        private readonly RateLimitBudgetRefiller? _refiller;
        private readonly CountingLogger _logs = new();
        private readonly PolicyPartition _partition;

        public Instance(string? connectionString, string limit)
        {
            var loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(_logs));
            SharedRateLimits? shared = null;
            if (connectionString is not null)
            {
                _store = new RedisBudgetStore(new RedisRateLimitOptions { ConnectionString = connectionString }, null, TimeProvider.System);
                shared = new SharedRateLimits(_store);
                _refiller = new RateLimitBudgetRefiller(shared, TimeProvider.System, _services.GetRequiredService<IMeterFactory>(), loggerFactory);
            }

            var key = ApiKey.FromValue("partner", Micro.KeyCheckBenchmarks.NewKey()) with
            {
                Properties = ImmutableDictionary<string, string>.Empty.Add("RateLimit", limit),
            };
            _partition = new PolicyBook(loggerFactory, shared).Compile([key], "benchmark", out _).Values.Single().Partition!;
        }

        public int Warnings => _logs.Count(70);

        public async Task StartAsync()
        {
            if (_refiller is not null)
            {
                // As at the app's start: the first round connects; then the timer runs.
                await _refiller.RefillAsync(CancellationToken.None);
                await _refiller.StartAsync(CancellationToken.None);
            }
        }

        public bool Admit() => _partition.Admit(DateTimeOffset.UtcNow).IsAllowed;

        public async ValueTask DisposeAsync()
        {
            if (_refiller is not null)
            {
                await _refiller.StopAsync(CancellationToken.None);
                _refiller.Dispose();
            }

            if (_store is not null)
            {
                await _store.DisposeAsync();
            }

            await _services.DisposeAsync();
        }
    }

    /// <summary>Counts log lines by event id.</summary>
    private sealed class CountingLogger : ILoggerProvider, ILogger
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<int, int> _counts = new();

        public int Count(int eventId) => _counts.GetValueOrDefault(eventId);

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _counts.AddOrUpdate(eventId.Id, 1, (_, n) => n + 1);

        public void Dispose()
        {
        }
    }
}
