using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// The production path's wiring: the unchanged worker reaches "Key Vault" with its managed identity through the proxy,
/// and its refresh timer brings vault changes in without a restart. What each change does to a decision is tested
/// in process (KeyVaultGateTests, KeyVaultApiKeySourceTests).
/// </summary>
public sealed class KeyVaultEndToEndTests(RefreshingVaultWorkerFixture worker) : IClassFixture<RefreshingVaultWorkerFixture>
{
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TheWorkerReachesTheVaultThroughManagedIdentityAndTheProxy()
    {
        Assert.Equal(200, await worker.CallUntilAsync(worker.StableKey, 200, Propagation));

        Assert.True(worker.Identity.TokensIssued >= 1);
        Assert.Equal(0, worker.Identity.Refused);
        Assert.True(worker.Proxy.Tunnels >= 1);
        Assert.Equal(0, worker.Proxy.Refused);
        Assert.Contains(worker.Vault.Requests, r => r.IsListRequest);
        await worker.Log.WaitForAsync(l => l.Contains("FunctionsApiKey.KeyRing: Loaded 2 API keys from keyvault", StringComparison.Ordinal), Propagation);

        // The Azure SDK's two Information records per vault request stay out of the log unless configuration asks.
        Assert.DoesNotContain(worker.Log.Lines, l => l.StartsWith("[Information] Azure.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChangesInTheVaultReachTheRunningWorkerOnItsRefreshTimer()
    {
        var added = TestKeys.NewValue();
        Assert.Equal(200, await worker.CallUntilAsync(worker.DisabledLaterKey, 200, Propagation));
        Assert.Equal(401, await worker.CallAsync(added));

        worker.Vault.SetSecret("apikey-added", added, tags: new Dictionary<string, string> { ["scopes"] = "SecureEndpoint" });
        worker.Vault.DisableSecret("apikey-disabled-later");

        Assert.Equal(200, await worker.CallUntilAsync(added, 200, Propagation));
        Assert.Equal(401, await worker.CallUntilAsync(worker.DisabledLaterKey, 401, Propagation));
        await worker.Log.WaitForAsync(l => l.Contains("Request to SecureEndpoint with API key disabled-later denied: revoked;", StringComparison.Ordinal), Propagation);
    }

    [Fact]
    public async Task AKeyWithAMisspeltScopesTagIsRefusedWhileOneTaggedStarIsAccepted()
    {
        var misspelt = TestKeys.NewValue();
        var explicitKey = TestKeys.NewValue();
        worker.Vault.SetSecret("apikey-misspelt-tag", misspelt, tags: new Dictionary<string, string> { ["scops"] = "SecureEndpoint" });
        worker.Vault.SetSecret("apikey-every-function", explicitKey, tags: KeyTags.EveryFunction);

        // Both come in with the same refresh, so once the second works the first has been read too.
        Assert.Equal(200, await worker.CallUntilAsync(explicitKey, 200, Propagation));
        Assert.Equal(401, await worker.CallAsync(misspelt));
        await worker.Log.WaitForAsync(l => l.Contains("API key misspelt-tag from keyvault skipped: it has no scopes tag; tag the secret apikey-misspelt-tag scopes=* to allow every function", StringComparison.Ordinal), Propagation);
    }
}
