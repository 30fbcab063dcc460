using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Testing;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>The production path: the unchanged worker loads keys from "Key Vault" with its managed identity.</summary>
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
    public async Task ANewKeyWorksAfterARefresh()
    {
        var key = TestKeys.NewValue();
        Assert.Equal(401, await worker.CallAsync(key));

        worker.Vault.SetSecret("apikey-added", key, tags: new Dictionary<string, string> { ["scopes"] = "SecureEndpoint" });

        Assert.Equal(200, await worker.CallUntilAsync(key, 200, Propagation));
    }

    [Fact]
    public async Task ADisabledKeyIsRefusedAfterARefresh()
    {
        Assert.Equal(200, await worker.CallUntilAsync(worker.DisabledLaterKey, 200, Propagation));

        worker.Vault.DisableSecret("apikey-disabled-later");

        Assert.Equal(401, await worker.CallUntilAsync(worker.DisabledLaterKey, 401, Propagation));
        await worker.Log.WaitForAsync(l => l.Contains("Request to SecureEndpoint with API key disabled-later denied: revoked;", StringComparison.Ordinal), Propagation);
    }

    [Fact]
    public async Task TheVaultFailingDuringARefreshChangesNothing()
    {
        Assert.Equal(200, await worker.CallUntilAsync(worker.StableKey, 200, Propagation));
        var warningsBefore = worker.Log.Lines.Count(l => l.Contains("failed (HTTP 500", StringComparison.Ordinal));

        worker.Vault.StartOutage(500);
        try
        {
            await worker.Log.WaitForAsync(l => l.Contains("Loading API keys from keyvault failed (HTTP 500 InternalServerError); keeping the key ring loaded", StringComparison.Ordinal)
                && worker.Log.Lines.Count(x => x.Contains("failed (HTTP 500", StringComparison.Ordinal)) > warningsBefore, Propagation);

            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(200, await worker.CallAsync(worker.StableKey));
                Assert.Equal(401, await worker.CallAsync(TestKeys.NewValue()));
            }
        }
        finally
        {
            worker.Vault.EndOutage();
        }
    }
}
