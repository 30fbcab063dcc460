using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using FunctionApp.TestHost;
using FunctionApp.Testing.FakeKeyVault;

namespace FunctionApp.Benchmarks.ColdStart;

/// <summary>
/// Worker start → first authorized 200, with keys from settings against keys from Key Vault (1,000 keys, ~8 ms per
/// request, reached as in Azure: managed identity, proxy, TLS), alternating, each start a fresh worker process.
/// </summary>
internal static partial class ColdStartBenchmark
{
    public static async Task RunAsync(bool quick)
    {
        var keyCount = quick ? 100 : 1_000;
        await using var azure = await FakeAzureEnvironment.StartAsync();
        var vaultKey = Micro.KeyCheckBenchmarks.NewKey();
        azure.Vault.SetSecret("apikey-cold-start", vaultKey);
        for (var i = 1; i < keyCount; i++)
        {
            azure.Vault.SetSecret($"apikey-k{i:D4}", Micro.KeyCheckBenchmarks.NewKey());
        }

        azure.Vault.Latency = TimeSpan.FromMilliseconds(8);
        var settingsKey = Micro.KeyCheckBenchmarks.NewKey();
        var settings = new Dictionary<string, string?> { ["ApiKeys__Keys__local-dev"] = null, ["ApiKeys__Keys__cold-start"] = settingsKey };
        var keyVault = azure.WorkerEnvironment(TimeSpan.FromMinutes(5));
        keyVault["ApiKeys__FirstLoadTimeout"] = "00:00:30";

        var rounds = quick ? 1 : 6;
        var results = new Dictionary<string, List<(double Started, double Authorized, double Load)>> { ["settings"] = [], ["keyvault"] = [] };
        await MeasureAsync(settings, settingsKey);
        for (var round = 0; round < rounds; round++)
        {
            foreach (var name in round % 2 == 0 ? (string[])["settings", "keyvault"] : ["keyvault", "settings"])
            {
                results[name].Add(name == "settings" ? await MeasureAsync(settings, settingsKey) : await MeasureAsync(keyVault, vaultKey));
            }
        }

        Report.Table($"Cold start: worker start → first authorized 200 (median of {rounds} alternating starts)",
            ["keys from", "worker ready (functions loaded)", "key ring load (worker's log)", "first authorized 200"],
            results.Select(r => new[]
            {
                r.Key == "settings" ? "settings (1 key)" : $"Key Vault ({keyCount:N0} keys, ~8 ms per request)",
                Report.Ms(Report.Median(r.Value.Select(v => v.Started))), Report.Ms(Report.Median(r.Value.Select(v => v.Load))),
                Report.Ms(Report.Median(r.Value.Select(v => v.Authorized))),
            }));
        var difference = Report.Median(results["keyvault"].Select(v => v.Authorized)) - Report.Median(results["settings"].Select(v => v.Authorized));
        Report.Line($"Key Vault costs {difference:N0} ms more to the first authorized 200 (target ≤ 1,000 ms)");
    }

    private static async Task<(double Started, double Authorized, double Load)> MeasureAsync(Dictionary<string, string?> environment, string key)
    {
        using var log = new StringWriter();
        var clock = Stopwatch.StartNew();
        await using var host = await FunctionsHost.StartAsync(new FunctionsHostOptions { Port = 0, Environment = environment, Log = log });
        var started = clock.Elapsed.TotalMilliseconds;
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = host.BaseAddress };
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/secure-endpoint") { Headers = { { "api-key", key } } };
            using var response = await client.SendAsync(request);
            if ((int)response.StatusCode == 200)
            {
                var authorized = clock.Elapsed.TotalMilliseconds;
                var loaded = LoadTime().Match(log.ToString());
                return (started, authorized, loaded.Success ? double.Parse(loaded.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN);
            }
        }

        throw new InvalidOperationException("The worker never answered 200 to a valid key.");
    }

    [GeneratedRegex(@"Loaded \d+ API keys from \w+ in (\d+) ms")]
    private static partial Regex LoadTime();
}
