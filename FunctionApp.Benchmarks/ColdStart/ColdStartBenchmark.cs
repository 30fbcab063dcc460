using FunctionsApiKey;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using FunctionApp.TestHost;
using FunctionApp.Testing.FakeKeyVault;
using FunctionsApiKey.KeyVault;
using FunctionsApiKey.SharedRing;

namespace FunctionApp.Benchmarks.ColdStart;

/// <summary>
/// Worker start → first authorized 200, each start a fresh worker process, the kinds alternating: keys from settings;
/// 1,000 keys read from Key Vault (~8 ms per request, reached as in Azure: managed identity, proxy, TLS); and the same
/// keys from the shared ring in Azurite (identity-based storage), with 1,000 and with 100,000 keys.
/// </summary>
internal static partial class ColdStartBenchmark
{
    private const string Settings = "settings (1 key)";
    private const string KeyVault = "Key Vault";
    private const string SharedRing = "shared ring";
    private const string LargeRing = "shared ring, large";

    public static async Task RunAsync(bool quick)
    {
        var keyCount = quick ? 100 : 1_000;
        var largeCount = quick ? 1_000 : 100_000;
        await using var azure = await FakeAzureEnvironment.StartAsync(withStorage: true);
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var vaultKey = Micro.KeyCheckBenchmarks.NewKey();
        azure.Vault.SetSecret("keyring-signing-key", signer.ExportPkcs8PrivateKeyPem());
        azure.Vault.SetSecret("apikey-cold-start", vaultKey, tags: KeyTags.EveryFunction);
        for (var i = 1; i < keyCount; i++)
        {
            azure.Vault.SetSecret($"apikey-k{i:D4}", Micro.KeyCheckBenchmarks.NewKey(), tags: KeyTags.EveryFunction);
        }

        var ring = new RingPublisherForBenchmark(azure, signer);
        var smallRing = await ring.PublishFromVaultAsync();
        var largeRing = RingPublisherForBenchmark.Build(vaultKey, largeCount);
        azure.Vault.Latency = TimeSpan.FromMilliseconds(8);

        var settingsKey = Micro.KeyCheckBenchmarks.NewKey();
        var kinds = new Dictionary<string, (Dictionary<string, string?> Environment, string Key, Func<Task> Prepare)>
        {
            [Settings] = (new() { ["ApiKeys__Keys__local-dev"] = null, ["ApiKeys__Keys__cold-start"] = settingsKey }, settingsKey, () => Task.CompletedTask),
            [KeyVault] = (VaultEnvironment(azure), vaultKey, () => Task.CompletedTask),
            [SharedRing] = (RingEnvironment(azure, signer), vaultKey, () => ring.WriteAsync(smallRing)),
            [LargeRing] = (RingEnvironment(azure, signer), vaultKey, () => ring.WriteAsync(largeRing)),
        };

        // As built (JIT), and as deployed: published ReadyToRun, which Microsoft recommends for Functions' cold start.
        var builds = new List<(string Name, string Directory)> { ("Release build", FunctionsHostOptions.DefaultAppDirectory) };
        using var published = quick ? null : await PublishReadyToRunAsync();
        if (published is not null)
        {
            builds.Add(("published ReadyToRun", published.Directory));
        }

        var rounds = quick ? 1 : 6;
        foreach (var (build, directory) in builds)
        {
            var results = kinds.Keys.ToDictionary(k => k, _ => new List<(double Started, double Authorized, double Load)>());
            await MeasureAsync(directory, kinds[Settings].Environment, settingsKey);
            for (var round = 0; round < rounds; round++)
            {
                foreach (var name in round % 2 == 0 ? kinds.Keys : kinds.Keys.Reverse())
                {
                    var (environment, key, prepare) = kinds[name];
                    await prepare();
                    results[name].Add(await MeasureAsync(directory, environment, key));
                }
            }

            Report.Table($"Cold start, {build}: worker start → first authorized 200 (median of {rounds} alternating starts)",
                ["keys from", "worker ready (functions loaded)", "key ring load (worker's log)", "first authorized 200", "more than settings"],
                results.Select(r => new[]
                {
                    r.Key switch
                    {
                        KeyVault => $"Key Vault ({keyCount:N0} keys, ~8 ms per request)",
                        SharedRing => $"shared ring ({keyCount:N0} keys)",
                        LargeRing => $"shared ring ({largeCount:N0} keys)",
                        _ => r.Key,
                    },
                    Report.Ms(Report.Median(r.Value.Select(v => v.Started))), Report.Ms(Report.Median(r.Value.Select(v => v.Load))),
                    Report.Ms(Report.Median(r.Value.Select(v => v.Authorized))),
                    Report.Ms(Report.Median(r.Value.Select(v => v.Authorized)) - Report.Median(results[Settings].Select(v => v.Authorized))),
                }));
        }

        Report.Line($"Targets: Key Vault ≤ +1,000 ms; shared ring with {keyCount:N0} keys ≤ +150 ms; with {largeCount:N0} keys ≤ +1,000 ms.");
    }

    /// <summary>The app as <c>dotnet publish -r linux-x64 -p:PublishReadyToRun=true</c> leaves it, in a temporary folder.</summary>
    private static async Task<TemporaryFolder> PublishReadyToRunAsync()
    {
        var folder = new TemporaryFolder();
        var project = Path.GetFullPath(Path.Combine(FunctionsHostOptions.DefaultAppDirectory, "..", "..", "..", "FunctionApp.csproj"));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true", "-o", folder.Directory])
        {
            start.ArgumentList.Add(argument);
        }

        using var publish = Process.Start(start)!;
        var output = publish.StandardOutput.ReadToEndAsync();
        await publish.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed: {await output}");
        }

        return folder;
    }

    private sealed class TemporaryFolder : IDisposable
    {
        public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("functionapp-r2r-").FullName;

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static Dictionary<string, string?> VaultEnvironment(FakeAzureEnvironment azure)
    {
        var environment = azure.WorkerEnvironment(TimeSpan.FromMinutes(5));
        environment["ApiKeys__FirstLoadTimeout"] = "00:00:30";
        return environment;
    }

    private static Dictionary<string, string?> RingEnvironment(FakeAzureEnvironment azure, ECDsa signer)
    {
        var environment = VaultEnvironment(azure);
        foreach (var (name, value) in azure.StorageSettings())
        {
            environment[name] = value;
        }

        environment["ApiKeys__KeySource"] = "sharedring";
        environment["ApiKeys__RingVerificationKeys"] = RingKeys.PublicKeyText(signer);

        // Once a year: the worker's own publisher must not run during the measurement.
        environment["ApiKeys__PublishSchedule"] = "0 0 0 1 1 *";
        return environment;
    }

    private static async Task<(double Started, double Authorized, double Load)> MeasureAsync(string appDirectory, Dictionary<string, string?> environment, string key)
    {
        using var log = new StringWriter();
        var clock = Stopwatch.StartNew();
        await using var host = await FunctionsHost.StartAsync(new FunctionsHostOptions { Port = 0, Environment = environment, Log = log, AppDirectory = appDirectory });
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

    /// <summary>Writes rings in-process, as a publisher would, fresh before each start so no worker finds them stale.</summary>
    private sealed class RingPublisherForBenchmark(FakeAzureEnvironment azure, ECDsa signer)
    {
        private readonly RingStore _store = new(
            new BlobServiceClient(azure.Storage!.ConnectionString, new BlobClientOptions { Transport = azure.Storage.CreateTransport() }).GetBlobContainerClient("functionsapikey"),
            "keyring",
            new SharedRingOptions().RingStorageTimeout);

        public async Task<RingDocument> PublishFromVaultAsync()
        {
            var loader = new KeyVaultKeyLoader(FakeKeyVaultClient.Create(azure.Vault), new KeyVaultApiKeyOptions { KeyVaultUri = FakeKeyVaultClient.VaultUri }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            var entries = await loader.LoadAsync(new Dictionary<string, VaultEntry>(), CancellationToken.None);
            return new RingDocument(1, DateTimeOffset.UtcNow, new RingScope("myvault.vault.azure.net", "apikey-"), [.. entries.OrderBy(e => e.SecretName, StringComparer.OrdinalIgnoreCase)]);
        }

        public static RingDocument Build(string key, int count)
        {
            var updated = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            var entries = new List<VaultEntry> { new("apikey-cold-start", updated, true, ApiKey.FromValue("cold-start", key), false) };
            for (var i = 1; i < count; i++)
            {
                entries.Add(new VaultEntry($"apikey-k{i:D6}", updated, true, ApiKey.FromHash($"k{i:D6}", RandomNumberGenerator.GetBytes(32)), false));
            }

            return new RingDocument(1, DateTimeOffset.UtcNow, new RingScope("myvault.vault.azure.net", "apikey-"), entries);
        }

        public async Task WriteAsync(RingDocument ring)
        {
            var fresh = ring with { Generation = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), PublishedAt = DateTimeOffset.UtcNow };
            var current = await _store.ReadRingAsync(null, CancellationToken.None);
            if (!await _store.TryWriteRingAsync(RingCodec.WriteRing(fresh, signer), current.ETag, CancellationToken.None))
            {
                throw new InvalidOperationException("Another writer changed the benchmark's ring.");
            }
        }
    }
}
