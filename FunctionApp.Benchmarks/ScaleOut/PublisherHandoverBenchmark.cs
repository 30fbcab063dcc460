using System.Diagnostics;
using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Testing.Storage;
using FunctionsApiKey;
using FunctionsApiKey.SharedRing;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionApp.Benchmarks.ScaleOut;

/// <summary>
/// A publisher handover at scale: a fleet follows the ring, the publisher's instance dies right after a run, and the
/// host gives the timer to another instance only once the dead one's listener lease (60 s) has run out and the others
/// have tried again (every minute): about 2 minutes with no publisher, at the default settings. Meanwhile a key is
/// disabled in the vault. Each instance is the real key source with its own clients, polling as the key ring does;
/// the vault enforces Key Vault's limit (4,000 requests per 10 s). Measures what the vault sees during the handover,
/// whether any instance is ever without keys, and when every instance refuses the disabled key.
/// </summary>
internal static class PublisherHandoverBenchmark
{
    private const string Revoked = "apikey-k00000";

    public static async Task RunAsync(bool quick)
    {
        var instances = quick ? 10 : 100;
        var keys = quick ? 100 : 1_000;
        var limit = quick ? 400 : 4_000;

        // At the package's defaults, and with the example schedule of every 10 s; --quick shrinks every period alike.
        var options = new SharedRingOptions { PublishSchedule = "*/10 * * * * *" };
        if (quick)
        {
            options.RingPollInterval = TimeSpan.FromSeconds(0.5);
            options.RingStaleAfter = TimeSpan.FromSeconds(4);
        }

        var publishPeriod = quick ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(10);
        var handover = quick ? TimeSpan.FromSeconds(10) : TimeSpan.FromMinutes(2);

        await using var vault = await FakeKeyVaultServer.StartAsync(TimeProvider.System);
        for (var i = 0; i < keys; i++)
        {
            vault.SetSecret($"apikey-k{i:D5}", TestKeys.Sha256Text(Micro.KeyCheckBenchmarks.NewKey()), tags: KeyTags.EveryFunction);
        }

        vault.Latency = TimeSpan.FromMilliseconds(5);
        await using var azurite = await AzuriteServer.StartAsync();
        using var signer = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        vault.SetSecret("keyring-signing-key", signer.ExportPkcs8PrivateKeyPem());
        options.RingVerificationKeys = RingKeys.PublicKeyText(signer);
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new SharedRingMetrics(meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var parts = new RingParts(vault, azurite, options, metrics);
        var instanceTraffic = new StorageTraffic();
        using var publisherVerifier = parts.Verifier();
        var firstPublisher = parts.Publisher(parts.Store(), publisherVerifier);
        if (await firstPublisher.PublishAsync(CancellationToken.None) != PublishOutcome.Written)
        {
            throw new InvalidOperationException("The publisher could not write the first ring.");
        }

        vault.ThrottleLimit = limit;
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var fleet = new Fleet(instances, clock);
        var running = Enumerable.Range(0, instances).Select(i => Task.Run(async () =>
        {
            using var verifier = parts.Verifier();
            var source = parts.Instance(parts.Store(instanceTraffic), verifier);
            await fleet.RunAsync(i, source, options.RingPollInterval, stop.Token);
        })).ToList();

        // The fleet runs beside the publisher long enough to see it confirm the ring while they run (a heartbeat read
        // every quarter of RingStaleAfter until then), as a fleet that has been up a while has.
        using var killPublisher = new CancellationTokenSource();
        var oneRun = 0;
        var publishing = Task.Run(async () =>
        {
            var warmUp = options.RingStaleAfter / 2 + publishPeriod + options.RingPollInterval;
            while (clock.Elapsed < warmUp)
            {
                await Task.Delay(publishPeriod);
                var before = vault.Requests.Count(r => r.HadToken);
                await firstPublisher.PublishAsync(CancellationToken.None);
                oneRun = vault.Requests.Count(r => r.HadToken) - before;
            }
        });
        await publishing;

        // The publisher's instance dies just after a run: nothing confirms the ring until another instance takes the
        // timer. A key is disabled in the vault a poll later.
        var killedAt = Stopwatch.GetTimestamp();
        var killedElapsed = clock.Elapsed;
        var throttledBefore = vault.Throttled;
        var storageBefore = instanceTraffic.Totals.Requests;
        await Task.Delay(options.RingPollInterval);
        vault.DisableSecret(Revoked);
        fleet.RevokedAt = clock.Elapsed;
        await Task.Delay(handover - options.RingPollInterval);

        // Another instance takes the timer and runs it at once; the fleet follows it for a while.
        var takenOverAt = Stopwatch.GetTimestamp();
        var throttledDuring = vault.Throttled - throttledBefore;
        var storageDuring = instanceTraffic.Totals.Requests - storageBefore;
        var secondPublisher = parts.Publisher(parts.Store(), publisherVerifier);
        await secondPublisher.PublishAsync(CancellationToken.None);
        await Task.Delay(options.RingPollInterval * 3);
        await stop.CancelAsync();
        await Task.WhenAll(running);

        var during = vault.Requests.Where(r => r.HadToken && r.Received >= killedAt && r.Received < takenOverAt).Select(r => r.Received).Order().ToList();
        var window = (long)(10 * Stopwatch.Frequency);
        var peak = during.Count == 0 ? 0 : during.Select((t, i) => during.Skip(i).TakeWhile(u => u - t < window).Count()).Max();
        var refusedBy = fleet.RefusedByAll();
        Report.Table(
            $"Publisher handover: {instances} instances, {keys:N0} keys, no publisher for {handover.TotalSeconds:F0} s (RingStaleAfter {options.RingStaleAfter.TotalSeconds:F0} s, polls every {options.RingPollInterval.TotalSeconds:F1} s), the vault limited to {limit:N0} requests per 10 s",
            ["vault requests during the handover", "one publisher run", "most in any 10 s", "429 answers", "instance storage requests", "loads that left an instance without keys", "disabled key refused by every instance"],
            [[
                Report.N(during.Count), Report.N(oneRun), Report.N(peak), Report.N(throttledDuring), Report.N(storageDuring), Report.N(fleet.WithoutKeys),
                refusedBy is { } after ? $"{(after - fleet.RevokedAt!.Value).TotalSeconds:F1} s after it was disabled ({(after - killedElapsed).TotalSeconds:F1} s after the publisher died)" : "not by all",
            ]]);
        Report.Line($"Target: vault requests during the handover at most 2 publisher runs ({2 * oneRun}), no 429, no instance without keys.");
    }

    /// <summary>The instances' view: whether each one has keys, and when it first refused the disabled key.</summary>
    private sealed class Fleet(int instances, Stopwatch clock)
    {
        private readonly TimeSpan?[] _refusedAt = new TimeSpan?[instances];
        private int _withoutKeys;

        public TimeSpan? RevokedAt { get; set; }

        public int WithoutKeys => Volatile.Read(ref _withoutKeys);

        /// <summary>Loads as the key ring does: every poll interval, with a jitter of up to a fifth, keeping the last keys.</summary>
        public async Task RunAsync(int index, SharedRingApiKeySource source, TimeSpan pollInterval, CancellationToken stop)
        {
            var random = new Random(index);
            await Task.Delay(pollInterval * index / instances, CancellationToken.None);
            IReadOnlyList<ApiKey>? keys = null;
            DateTimeOffset? asOf = null;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var loaded = await source.LoadAsync(CancellationToken.None);
                    keys = loaded.Keys ?? keys;
                    asOf = loaded.AsOf ?? asOf;
                }
                catch (ApiKeySourceException)
                {
                }

                // Without keys: none loaded yet past the first load, or the keys in force older than MaxKeyRingAge.
                if (keys is not { Count: > 0 } || (asOf is { } at && DateTimeOffset.UtcNow - at > TimeSpan.FromDays(1)))
                {
                    Interlocked.Increment(ref _withoutKeys);
                }

                if (RevokedAt is not null && _refusedAt[index] is null && keys?.FirstOrDefault(k => k.Name == Revoked["apikey-".Length..]) is null or { IsRevoked: true })
                {
                    _refusedAt[index] = clock.Elapsed;
                }

                await Task.Delay(pollInterval * (1 + (random.NextDouble() * 0.2)), CancellationToken.None);
            }
        }

        public TimeSpan? RefusedByAll() => _refusedAt.Any(r => r is null) ? null : _refusedAt.Max();
    }
}
