using FunctionsApiKey;
using System.Diagnostics;
using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Testing.Storage;
using FunctionsApiKey.KeyVault;
using FunctionsApiKey.SharedRing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionApp.Benchmarks.ScaleOut;

/// <summary>
/// A burst: many instances start within one second against one vault of 1,000 keys that enforces Key Vault's limit
/// (4,000 requests per 10 s, then 429 with Retry-After). Each "instance" is the real key source the app would use,
/// with its own clients, retrying a failed first load as the key ring does (1, 2, 4 … s). Direct mode: every
/// instance reads the vault. Shared ring: a publisher (already running, as it is before a burst) reads the vault
/// every 10 s, and the instances read one blob from Azurite.
/// </summary>
internal static class ScaleOutBenchmark
{
    public static async Task RunAsync(bool quick)
    {
        var instances = quick ? 10 : 100;
        var keys = quick ? 100 : 1_000;
        var limit = quick ? 400 : 4_000;
        var cap = TimeSpan.FromSeconds(quick ? 20 : 150);

        var direct = await RunDirectAsync(instances, keys, limit, cap);
        var shared = await RunSharedAsync(instances, keys, limit, cap);

        Report.Table($"Scale-out: {instances} instances starting within 1 s, {keys:N0} keys, the vault limited to {limit:N0} requests per 10 s",
            ["mode", "instances ready", "last instance ready", "vault requests", "429 answers", "storage reads"],
            [direct, shared]);
        Report.Line("Targets for the shared ring: vault requests that do not grow with the instances (one publisher's), no 429, the last instance ready within 2 s.");
    }

    private static async Task<string[]> RunDirectAsync(int instances, int keys, int limit, TimeSpan cap)
    {
        await using var vault = await SeedAsync(keys);
        vault.ThrottleLimit = limit;
        var clock = Stopwatch.StartNew();
        var ready = await Task.WhenAll(Enumerable.Range(0, instances).Select(i => Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds((double)i / instances));
            var source = new KeyVaultApiKeySource(new KeyVaultKeyLoader(FakeKeyVaultClient.Create(vault, sdkRetryDelays: true), new KeyVaultApiKeyOptions { KeyVaultUri = FakeKeyVaultClient.VaultUri }, NullLoggerFactory.Instance.CreateLogger(KeyVaultApiKeyDefaults.LogCategory)));
            return await UntilLoadedAsync(source, clock, cap);
        })));

        var requests = vault.Requests.Count(r => r.HadToken);
        return Row("direct vault (every instance reads it)", ready, requests, vault.Throttled, storageReads: 0);
    }

    private static async Task<string[]> RunSharedAsync(int instances, int keys, int limit, TimeSpan cap)
    {
        await using var vault = await SeedAsync(keys);
        await using var azurite = await AzuriteServer.StartAsync();
        using var signer = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        vault.SetSecret("keyring-signing-key", signer.ExportPkcs8PrivateKeyPem());
        var options = new SharedRingOptions { RingVerificationKeys = RingKeys.PublicKeyText(signer), PublishSchedule = "*/10 * * * * *" };
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new SharedRingMetrics(meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        // What the instances read from storage, every request and retry counted; the publisher's own traffic is not.
        var instanceTraffic = new StorageTraffic();

        var parts = new RingParts(vault, azurite, options, metrics);
        using var publisherVerifier = parts.Verifier();
        var publisher = parts.Publisher(parts.Store(), publisherVerifier);
        if (await publisher.PublishAsync(CancellationToken.None) != PublishOutcome.Written)
        {
            throw new InvalidOperationException("The publisher could not write the first ring.");
        }

        vault.ClearRequests();
        vault.ThrottleLimit = limit;
        var clock = Stopwatch.StartNew();
        using var stopPublishing = new CancellationTokenSource();
        var publishing = Task.Run(async () =>
        {
            while (!stopPublishing.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), stopPublishing.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                if (!stopPublishing.IsCancellationRequested)
                {
                    await publisher.PublishAsync(CancellationToken.None);
                }
            }
        });

        var ready = await Task.WhenAll(Enumerable.Range(0, instances).Select(i => Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds((double)i / instances));
            using var verifier = parts.Verifier();
            var source = parts.Instance(parts.Store(instanceTraffic), verifier);
            return await UntilLoadedAsync(source, clock, cap);
        })));

        // The same span as the direct run's burst would take at least: one publisher period after the last instance.
        await Task.Delay(TimeSpan.FromSeconds(10));
        await stopPublishing.CancelAsync();
        await publishing;
        return Row("shared ring (one publisher)", ready, vault.Requests.Count(r => r.HadToken), vault.Throttled, (int)instanceTraffic.Totals.Requests);
    }

    /// <summary>Loads until keys arrive, retrying as the key ring does; the time they arrived, or null past the cap.</summary>
    private static async Task<TimeSpan?> UntilLoadedAsync(IApiKeySource source, Stopwatch clock, TimeSpan cap)
    {
        for (var failures = 0; clock.Elapsed < cap; failures++)
        {
            try
            {
                if ((await source.LoadAsync(CancellationToken.None)).Keys is { Count: > 0 })
                {
                    return clock.Elapsed;
                }
            }
            catch (ApiKeySourceException)
            {
            }

            await Task.Delay(TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, failures))));
        }

        return null;
    }

    private static async Task<FakeKeyVaultServer> SeedAsync(int keys)
    {
        var vault = await FakeKeyVaultServer.StartAsync(TimeProvider.System);
        for (var i = 0; i < keys; i++)
        {
            vault.SetSecret($"apikey-k{i:D5}", TestKeys.Sha256Text(Micro.KeyCheckBenchmarks.NewKey()), tags: KeyTags.EveryFunction);
        }

        vault.Latency = TimeSpan.FromMilliseconds(5);
        return vault;
    }

    private static string[] Row(string mode, TimeSpan?[] ready, int vaultRequests, int throttled, int storageReads)
    {
        var done = ready.Where(r => r is not null).Select(r => r!.Value).ToList();
        var last = done.Count == ready.Length ? Report.Ms(done.Max().TotalMilliseconds) : $"not within the cap ({done.Count} ready)";
        return [mode, $"{done.Count} of {ready.Length}", last, Report.N(vaultRequests), Report.N(throttled), Report.N(storageReads)];
    }
}
