using System.Net;
using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Tests.TestDoubles;
using FunctionsApiKey;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.KeyVault;
using Microsoft.Extensions.Options;

namespace FunctionApp.Tests.Middleware;

/// <summary>
/// The whole in-process path: middleware → key ring → refresher → Key Vault source → real SecretClient → fake vault.
/// Loads are triggered by hand so each step of a key's life is observed at a known point.
/// </summary>
public sealed class KeyVaultGateTests : IAsyncLifetime
{
    private readonly MiddlewareHarness _gate = new(new ApiKeyOptions { FirstLoadTimeout = TimeSpan.Zero });
    private FakeKeyVaultServer _vault = null!;
    private KeyRingRefresher _refresher = null!;

    public async Task InitializeAsync()
    {
        _vault = await FakeKeyVaultServer.StartAsync();
        var source = new KeyVaultApiKeySource(new KeyVaultKeyLoader(FakeKeyVaultClient.Create(_vault, maxRetries: 1), new KeyVaultApiKeyOptions { KeyVaultUri = FakeKeyVaultClient.VaultUri }, TestLogging.Factory(_gate.Logs).CreateLogger(KeyVaultApiKeyDefaults.LogCategory)));
        _refresher = new KeyRingRefresher(source, _gate.KeyRings, Options.Create(_gate.Options), _gate.Clock, _gate.Metrics, TestLogging.Factory(_gate.Logs));
    }

    public async Task DisposeAsync()
    {
        _refresher.Dispose();
        _gate.Dispose();
        await _vault.DisposeAsync();
    }

    [Fact]
    public async Task TheVaultDownAtStartupFailsClosedWith503ThenRecovers()
    {
        var key = TestKeys.NewValue();
        _vault.SetSecret("apikey-tutorial", key, tags: KeyTags.EveryFunction);
        _vault.StartOutage(503);

        Assert.NotNull(await _refresher.RefreshAsync(CancellationToken.None));
        var during = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", key));
        Assert.False(during.FunctionRan);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, during.Response.StatusCode);

        _vault.EndOutage();
        Assert.Null(await _refresher.RefreshAsync(CancellationToken.None));
        Assert.True((await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", key))).FunctionRan);
    }

    [Fact]
    public async Task KeysAreAddedRevokedAndExpiredWithoutARestart()
    {
        var first = TestKeys.NewValue();
        var added = TestKeys.NewValue();
        var expiring = TestKeys.NewValue();
        _vault.SetSecret("apikey-first", first, tags: KeyTags.EveryFunction);
        _vault.SetSecret("apikey-expiring", expiring, expiresOn: _gate.Clock.GetUtcNow().AddMinutes(1), tags: KeyTags.EveryFunction);
        await _refresher.RefreshAsync(CancellationToken.None);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Call(added)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Call(expiring)).StatusCode);

        _vault.SetSecret("apikey-added", added, tags: KeyTags.EveryFunction);
        _vault.DisableSecret("apikey-first");
        await _refresher.RefreshAsync(CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, (await Call(added)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Call(first)).StatusCode);

        // Expiry needs no refresh: the ring checks it at request time.
        _gate.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Call(expiring)).StatusCode);
        var logs = await _gate.LogsOnceAsync(2);
        Assert.Contains(logs, r => r.Message.StartsWith("Request to SecureEndpoint with API key first denied: revoked;", StringComparison.Ordinal));
        Assert.Contains(logs, r => r.Message.StartsWith("Request to SecureEndpoint with API key expiring denied: expired;", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AVaultFailingDuringARefreshChangesNothing()
    {
        var key = TestKeys.NewValue();
        _vault.SetSecret("apikey-tutorial", key, tags: KeyTags.EveryFunction);
        await _refresher.RefreshAsync(CancellationToken.None);
        var ring = _gate.KeyRings.Current;

        _vault.DisableSecret("apikey-tutorial");
        _vault.StartOutage(500);
        Assert.Equal("HTTP 500 InternalServerError", await _refresher.RefreshAsync(CancellationToken.None));

        Assert.Same(ring, _gate.KeyRings.Current);
        Assert.Equal(HttpStatusCode.OK, (await Call(key)).StatusCode);
    }

    private async Task<TestDoubles.TestHttpResponseData> Call(string key) =>
        (await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", key))).Response;
}
