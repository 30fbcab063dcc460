using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Tests.Middleware;
using FunctionApp.Tests.TestDoubles;
using FunctionsApiKey;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.KeySources;
using FunctionsApiKey.KeyVault;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace FunctionApp.Tests.Diagnostics;

/// <summary>
/// Runs every scenario that logs — each decision, each source, failed and partial loads, bad configuration — into
/// one collector, then looks for any part of any key in everything that was logged.
/// </summary>
public sealed class LogHygieneTests : IAsyncLifetime
{
    /// <summary>Any run of this many characters of a key in a log counts as a leak.</summary>
    private const int LeakWindow = 8;

    private readonly FakeLogCollector _logs = new();
    private readonly List<string> _secrets = [];
    private FakeKeyVaultServer _vault = null!;

    public async Task InitializeAsync() => _vault = await FakeKeyVaultServer.StartAsync();

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task NoPartOfAnyKeyReachesAnyLogLine()
    {
        await RunMiddlewareScenariosAsync();
        await RunKeyVaultScenariosAsync();
        await RunSettingsScenariosAsync();

        var records = _logs.GetSnapshot();
        Assert.True(records.Count >= 20, $"Expected the scenarios to log plenty, got {records.Count} lines.");
        foreach (var record in records)
        {
            var text = string.Join("\n",
            [
                record.Message,
                record.Exception?.ToString() ?? string.Empty,
                .. record.StructuredState?.Select(p => $"{p.Key}={p.Value}") ?? [],
            ]);
            foreach (var secret in _secrets)
            {
                for (var i = 0; i + LeakWindow <= secret.Length; i++)
                {
                    Assert.False(text.Contains(secret.Substring(i, LeakWindow), StringComparison.Ordinal), $"Log line leaks part of a key: {record.Message}");
                }
            }
        }
    }

    private async Task RunMiddlewareScenariosAsync()
    {
        using var gate = new MiddlewareHarness(new ApiKeyOptions { FirstLoadTimeout = TimeSpan.Zero }, _logs);
        var valid = Secret();
        var scoped = Secret();
        var expired = Secret();
        var revoked = Secret();

        await gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", valid));
        gate.Publish(
            TestKeys.Create("valid", valid),
            TestKeys.Create("scoped", scoped, scopes: ["other"]),
            TestKeys.Create("expired", expired, expiresOn: gate.Clock.GetUtcNow().AddSeconds(-1)),
            TestKeys.Create("revoked", revoked, revoked: true));

        string[] presented = [valid, scoped, expired, revoked, Secret(), " " + Secret(), Secret() + "," + Secret(), Secret() + "\n", Secret() + new string('x', 600)];
        foreach (var value in presented)
        {
            await gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", value));
            await gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, _ => { }, url: $"http://localhost/secure-endpoint?api-key={Uri.EscapeDataString(value)}");
        }
    }

    private async Task RunKeyVaultScenariosAsync()
    {
        var options = Options.Create(new ApiKeyOptions());
        var source = new KeyVaultApiKeySource(new KeyVaultKeyLoader(FakeKeyVaultClient.Create(_vault, maxRetries: 0), new KeyVaultApiKeyOptions { KeyVaultUri = FakeKeyVaultClient.VaultUri }, TestLogging.Factory(_logs).CreateLogger(KeyVaultApiKeyDefaults.LogCategory)));
        var keyRings = new KeyRingProvider(TimeProvider.System);
        using var harness = new MiddlewareHarness(logs: _logs);
        using var refresher = new KeyRingRefresher(source, keyRings, options, TimeProvider.System, harness.Metrics, TestLogging.Factory(_logs));

        _vault.SetSecret("apikey-good", Secret(), tags: KeyTags.EveryFunction);
        _vault.SetSecret("apikey-hashed", TestKeys.Sha256Text(Secret()), tags: KeyTags.EveryFunction);
        _vault.SetSecret("apikey-unusable", "white space " + Secret(), tags: KeyTags.EveryFunction);
        _vault.SetSecret("apikey-copy", _secrets[^6], tags: KeyTags.EveryFunction);
        _vault.SetSecret("apikey-vanishing", Secret(), tags: KeyTags.EveryFunction);
        _vault.FailNext(1, 404, pathMatches: p => p == "/secrets/apikey-vanishing");
        Assert.Null(await refresher.RefreshAsync(CancellationToken.None));

        _vault.StartOutage(503);
        Assert.NotNull(await refresher.RefreshAsync(CancellationToken.None));
        _vault.EndOutage();
        _vault.FailNext(1, 403, pathMatches: p => p == "/secrets/apikey-new", code: "ForbiddenByRbac");
        _vault.SetSecret("apikey-new", Secret(), tags: KeyTags.EveryFunction);
        Assert.NotNull(await refresher.RefreshAsync(CancellationToken.None));
    }

    private async Task RunSettingsScenariosAsync()
    {
        var values = new Dictionary<string, string?>
        {
            ["ApiKeys:Keys:dev"] = Secret(),
            ["ApiKeys:Keys:spaced"] = "a b " + Secret(),
            ["ApiKeys:Keys:hash"] = "sha256:" + Secret(),
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var source = new SettingsApiKeySource(configuration, new HostingEnvironment { EnvironmentName = Environments.Production }, [], TestLogging.Factory(_logs));

        await source.LoadKeysAsync();
    }

    /// <summary>A new key; both it and its stored <c>sha256:</c> form count as secrets that must not be logged.</summary>
    private string Secret()
    {
        var value = TestKeys.NewValue();
        _secrets.Add(value);
        _secrets.Add(TestKeys.Sha256Text(value)["sha256:".Length..]);
        return value;
    }
}
