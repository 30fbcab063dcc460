using FunctionsApiKey;
using System.Diagnostics;
using System.Security.Cryptography;
using Azure.Storage.Blobs;
using FunctionApp.TestHost;
using FunctionApp.Testing.FakeKeyVault;
using FunctionsApiKey.KeyVault;
using FunctionsApiKey.SharedRing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionApp.Benchmarks.SharedRing;

/// <summary>
/// The shared ring's own costs: bytes per key in the blob, what an instance's poll costs when the ring is unchanged
/// (against reading a changed ring), and how long a key disabled in the vault keeps working at the default intervals,
/// end to end with the real worker.
/// </summary>
internal static class SharedRingBenchmark
{
    public static async Task RunAsync(bool quick)
    {
        await using var azure = await FakeAzureEnvironment.StartAsync(withStorage: true);
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        azure.Vault.SetSecret("keyring-signing-key", signer.ExportPkcs8PrivateKeyPem());
        await MeasurePollsAsync(azure, signer, quick ? 10_000 : 100_000, quick ? 50 : 2_000);
        await MeasureRevocationAsync(azure, signer, quick);
    }

    private static async Task MeasurePollsAsync(FakeAzureEnvironment azure, ECDsa signer, int keys, int polls)
    {
        var traffic = new StorageTraffic();
        var clientOptions = new BlobClientOptions { Transport = azure.Storage!.CreateTransport() };
        clientOptions.AddPolicy(traffic, Azure.Core.HttpPipelinePosition.PerRetry);
        var store = new RingStore(new BlobServiceClient(azure.Storage.ConnectionString, clientOptions).GetBlobContainerClient("ring-bench"), "keyring", new SharedRingOptions().RingStorageTimeout);
        var ring = new RingDocument(1, DateTimeOffset.UtcNow, new RingScope("myvault.vault.azure.net", "apikey-"), [.. Enumerable.Range(0, keys).Select(i =>
            new VaultEntry($"apikey-partner-{i:D6}", DateTimeOffset.FromUnixTimeSeconds(1_790_000_000 + i), true, ApiKey.FromHash($"partner-{i:D6}", RandomNumberGenerator.GetBytes(32)), false))]);
        var blob = RingCodec.WriteRing(ring, signer);
        await store.TryWriteRingAsync(blob, null, CancellationToken.None);

        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var verifier = new RingVerifier([RingKeys.TryReadPublicKey(RingKeys.PublicKeyText(signer), out var key) ? key : throw new InvalidOperationException()]);
        var loader = new KeyVaultKeyLoader(FakeKeyVaultClient.Create(azure.Vault), new KeyVaultApiKeyOptions { KeyVaultUri = FakeKeyVaultClient.VaultUri }, NullLogger.Instance);
        var metrics = new SharedRingMetrics(meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var scope = new RingScope("myvault.vault.azure.net", "apikey-");
        var publisher = new KeyRingPublisher(store, verifier, loader, FakeKeyVaultClient.Create(azure.Vault), new SharedRingOptions(), scope, TimeProvider.System, metrics, NullLogger.Instance);
        var instance = new SharedRingApiKeySource(store, verifier, loader, publisher, new SharedRingOptions(), scope, new ApiKeyOptions(), TimeProvider.System, metrics, NullLogger.Instance);

        // The first load reads and parses the ring. Then unchanged polls: as many again first, unmeasured, so the JIT's
        // second tier (which a worker reaches after its first minutes of polling) has compiled the path. Then polls that
        // each find a new generation, written before each poll outside the measurement.
        await instance.LoadAsync(CancellationToken.None);
        await MeasureAsync(polls, traffic, prepare: null, () => instance.LoadAsync(CancellationToken.None), expectChanged: false);
        var unchanged = await MeasureAsync(polls, traffic, prepare: null, () => instance.LoadAsync(CancellationToken.None), expectChanged: false);
        var changedPolls = Math.Max(5, polls / 50);
        var changed = await MeasureAsync(changedPolls, traffic, async () =>
        {
            var current = await store.ReadRingAsync(null, CancellationToken.None);
            await store.TryWriteRingAsync(RingCodec.WriteRing(ring with { Generation = DateTimeOffset.UtcNow.Ticks, PublishedAt = DateTimeOffset.UtcNow }, signer), current.ETag, CancellationToken.None);
        }, () => instance.LoadAsync(CancellationToken.None), expectChanged: true);

        Report.Table($"Shared ring: one instance's poll with {keys:N0} keys in the ring ({blob.Length / (double)keys:F1} bytes per key, {blob.Length / 1024.0 / 1024.0:F1} MiB)",
            ["poll", "polls", "storage requests each", "response bytes each", "CPU each (this process)", "wall time each"],
            [
                ["ring unchanged (a 304)", Report.N(polls), Report.N(unchanged.Requests, 1), Report.N(unchanged.Bytes), Report.N(unchanged.CpuMicroseconds, 0) + " µs", Report.N(unchanged.WallMicroseconds, 0) + " µs"],
                ["ring changed (download, check, parse)", Report.N(changedPolls), Report.N(changed.Requests, 1), Report.N(changed.Bytes), Report.N(changed.CpuMicroseconds, 0) + " µs", Report.N(changed.WallMicroseconds, 0) + " µs"],
            ]);
        Report.Line("Target: an unchanged poll is one 304, parses 0 bytes and costs at most 1 ms of worker CPU.");
    }

    /// <summary>
    /// Runs <paramref name="poll"/> <paramref name="count"/> times, each after <paramref name="prepare"/> (not measured):
    /// this process's CPU time (Azurite is another process), wall time, storage requests and response bytes, per poll.
    /// </summary>
    private static async Task<(double CpuMicroseconds, double WallMicroseconds, double Requests, double Bytes)> MeasureAsync(
        int count, StorageTraffic traffic, Func<Task>? prepare, Func<Task<ApiKeyLoadResult>> poll, bool expectChanged)
    {
        using var process = Process.GetCurrentProcess();
        TimeSpan cpu = default, wall = default;
        long requests = 0, bytes = 0;
        var batch = prepare is null ? count : 1;
        for (var done = 0; done < count; done += batch)
        {
            if (prepare is not null)
            {
                await prepare();
            }

            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var (requestsBefore, bytesBefore) = traffic.Totals;
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < batch; i++)
            {
                if (((await poll()).Keys is not null) != expectChanged)
                {
                    throw new InvalidOperationException($"A poll expected to be {(expectChanged ? "changed" : "unchanged")} was not.");
                }
            }

            wall += clock.Elapsed;
            process.Refresh();
            cpu += process.TotalProcessorTime - cpuBefore;
            var (requestsAfter, bytesAfter) = traffic.Totals;
            requests += requestsAfter - requestsBefore;
            bytes += bytesAfter - bytesBefore;
        }

        return (cpu.TotalMicroseconds / count, wall.TotalMicroseconds / count, (double)requests / count, (double)bytes / count);
    }

    /// <summary>
    /// The real worker at the default intervals (publish every 10 s, poll every 5 s): a key is disabled in the vault at
    /// a random moment, and the time until the worker refuses it is taken, several times.
    /// </summary>
    private static async Task MeasureRevocationAsync(FakeAzureEnvironment azure, ECDsa signer, bool quick)
    {
        var samples = quick ? 1 : 5;
        var keys = Enumerable.Range(0, samples).Select(_ => Micro.KeyCheckBenchmarks.NewKey()).ToArray();
        for (var i = 0; i < samples; i++)
        {
            azure.Vault.SetSecret($"apikey-revoked-{i}", keys[i], tags: KeyTags.EveryFunction);
        }

        var environment = azure.WorkerEnvironment(TimeSpan.FromMinutes(5));
        foreach (var (name, value) in azure.StorageSettings())
        {
            environment[name] = value;
        }

        environment["ApiKeys__KeySource"] = "sharedring";
        environment["ApiKeys__RingVerificationKeys"] = RingKeys.PublicKeyText(signer);
        environment["ApiKeys__PublishSchedule"] = quick ? "* * * * * *" : "*/10 * * * * *";
        if (quick)
        {
            environment["ApiKeys__RingPollInterval"] = "00:00:00.5";
            environment["ApiKeys__RingStaleAfter"] = "00:00:10";
        }

        using var log = new StringWriter();
        await using var host = await FunctionsHost.StartAsync(new FunctionsHostOptions { Port = 0, Environment = environment, Log = log });
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = host.BaseAddress };
        await host.InvokeAsync(SharedRingDefaults.PublisherFunctionName);
        foreach (var key in keys)
        {
            await UntilAsync(client, key, 200, TimeSpan.FromSeconds(30));
        }

        var times = new List<double>();
        for (var i = 0; i < samples; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(0, quick ? 1_000 : 10_000)));
            var clock = Stopwatch.StartNew();
            azure.Vault.DisableSecret($"apikey-revoked-{i}");
            await UntilAsync(client, keys[i], 401, TimeSpan.FromSeconds(60));
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        Report.Table($"Shared ring: a key disabled in the vault, until the worker refuses it ({(quick ? "publish every 1 s, poll every 0.5 s" : "default intervals: publish every 10 s, poll every 5 s")}; {samples} samples at random moments)",
            ["shortest", "median", "longest"],
            [[Report.Ms(times.Min()), Report.Ms(Report.Median(times)), Report.Ms(times.Max())]]);
        Report.Line("Target at the default intervals: within 15 s.");
    }

    private static async Task UntilAsync(HttpClient client, string key, int status, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/secure-endpoint") { Headers = { { "api-key", key } } };
            using var response = await client.SendAsync(request);
            if ((int)response.StatusCode == status)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"The worker did not answer {status} within {timeout}.");
    }
}
