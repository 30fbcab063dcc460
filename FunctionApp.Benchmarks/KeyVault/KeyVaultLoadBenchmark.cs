using System.Diagnostics;
using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionsApiKey.KeyVault;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionApp.Benchmarks.KeyVault;

/// <summary>
/// The real SecretClient and KeyVaultApiKeySource against the local HTTPS fake vault with about 8 ms added to
/// every request, holding 1,000 keys: a first load at several degrees of parallelism (1 is the sequential
/// baseline), then a refresh with nothing changed and a refresh with one changed secret, with request counts.
/// </summary>
internal static class KeyVaultLoadBenchmark
{
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(8);

    public static async Task RunAsync(bool quick)
    {
        var keyCount = quick ? 100 : 1_000;
        await using var vault = await FakeKeyVaultServer.StartAsync();
        for (var i = 0; i < keyCount; i++)
        {
            vault.SetSecret($"apikey-k{i:D4}", Micro.KeyCheckBenchmarks.NewKey(), tags: KeyTags.EveryFunction);
        }

        // Key Vault's "updated" has one-second resolution; let that second pass so values read now count as settled.
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        vault.Latency = Latency;

        // Warm up the client and the JIT on one load that is not reported.
        await LoadAsync(vault, 32);

        var rows = new List<string[]>();
        var repeats = quick ? 1 : 3;
        foreach (var parallelism in (int[])[1, 8, 16, 32, 64])
        {
            var runs = new List<Measured>();
            for (var i = 0; i < (parallelism == 1 ? 1 : repeats); i++)
            {
                runs.Add(await LoadAsync(vault, parallelism));
            }

            var median = runs.OrderBy(r => r.Elapsed).ElementAt(runs.Count / 2);
            rows.Add([parallelism == 1 ? "1 (sequential baseline)" : parallelism.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Report.Ms(median.Elapsed.TotalMilliseconds), Report.N(median.ListRequests), Report.N(median.ValueRequests), Report.N(median.Keys)]);
        }

        Report.Table($"Key Vault: first load of {keyCount:N0} keys, ~{Latency.TotalMilliseconds:0} ms per request (median of {repeats})",
            ["parallel fetches", "time", "list requests", "value requests", "keys loaded"], rows);

        var source = CreateSource(vault, new KeyVaultApiKeyOptions().MaxParallelFetches);
        var first = await MeasureAsync(vault, source);
        var unchanged = await MeasureAsync(vault, source);
        vault.SetSecret("apikey-k0007", Micro.KeyCheckBenchmarks.NewKey(), tags: KeyTags.EveryFunction);
        var oneChanged = await MeasureAsync(vault, source);
        Report.Table($"Key Vault: refreshes with the default {new KeyVaultApiKeyOptions().MaxParallelFetches} parallel fetches",
            ["load", "time", "list requests", "value requests"],
            [
                ["first load", Report.Ms(first.Elapsed.TotalMilliseconds), Report.N(first.ListRequests), Report.N(first.ValueRequests)],
                ["refresh, nothing changed", Report.Ms(unchanged.Elapsed.TotalMilliseconds), Report.N(unchanged.ListRequests), Report.N(unchanged.ValueRequests)],
                ["refresh, one secret changed", Report.Ms(oneChanged.Elapsed.TotalMilliseconds), Report.N(oneChanged.ListRequests), Report.N(oneChanged.ValueRequests)],
            ]);
    }

    private static Task<Measured> LoadAsync(FakeKeyVaultServer vault, int parallelism) => MeasureAsync(vault, CreateSource(vault, parallelism));

    private static async Task<Measured> MeasureAsync(FakeKeyVaultServer vault, KeyVaultApiKeySource source)
    {
        vault.ClearRequests();
        var clock = Stopwatch.StartNew();
        var keys = await source.LoadKeysAsync();
        var elapsed = clock.Elapsed;
        var requests = vault.Requests;
        return new Measured(elapsed, requests.Count(r => r.IsListRequest), requests.Count(r => r.IsValueRequest), keys.Count);
    }

    private static KeyVaultApiKeySource CreateSource(FakeKeyVaultServer vault, int parallelism) =>
        new(new KeyVaultKeyLoader(FakeKeyVaultClient.Create(vault), new KeyVaultApiKeyOptions { KeyVaultUri = FakeKeyVaultClient.VaultUri, MaxParallelFetches = parallelism }, NullLoggerFactory.Instance.CreateLogger(KeyVaultApiKeyDefaults.LogCategory)));

    private sealed record Measured(TimeSpan Elapsed, int ListRequests, int ValueRequests, int Keys);
}
