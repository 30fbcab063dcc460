namespace FunctionApp.Tests.Tool;

/// <summary>
/// <c>dotnet apikeys revoke</c> disables the key's secret, keeping it and its value, and the running app, on its next
/// reload, denies the key as revoked.
/// </summary>
public sealed class RevokeCommandTests(ToolWorkerFixture worker) : IClassFixture<ToolWorkerFixture>
{
    [Fact]
    public async Task TheVaultDisablesTheKeyAndTheRunningAppThenDeniesIt()
    {
        var key = Assert.Single((await worker.RunToolAsync("create", "partner-f", "--scopes", "SecureEndpoint")).AssertExitCode(0).OutputLines);
        var stored = worker.Vault.StoredSecret("apikey-partner-f")!;
        Assert.Equal(200, await worker.CallUntilAsync(key, 200, ToolWorkerFixture.Propagation));

        var run = (await worker.RunToolAsync("revoke", "partner-f")).AssertExitCode(0);

        Assert.Empty(run.Output);
        Assert.Contains("Revoked 'partner-f' in vault myvault.vault.azure.net.", run.Error, StringComparison.Ordinal);
        var revoked = Assert.Single(worker.Vault.StoredVersions("apikey-partner-f"));
        Assert.False(revoked.Enabled);
        Assert.Equal((stored.Version, stored.Value, "SecureEndpoint"), (revoked.Version, revoked.Value, revoked.Tags["scopes"]));
        Assert.Equal(401, await worker.CallUntilAsync(key, 401, ToolWorkerFixture.Propagation));
        await worker.Log.WaitForAsync(l => l.Contains("Request to SecureEndpoint with API key partner-f denied: revoked", StringComparison.Ordinal), ToolWorkerFixture.Propagation);
    }

    [Fact]
    public async Task AnUnknownKeyIsExit3()
    {
        var run = (await worker.RunToolAsync("revoke", "nobody")).AssertExitCode(3);

        Assert.Contains("There is no key named 'nobody' in vault myvault.vault.azure.net.", run.Error, StringComparison.Ordinal);
        Assert.Null(worker.Vault.StoredSecret("apikey-nobody"));
    }
}
