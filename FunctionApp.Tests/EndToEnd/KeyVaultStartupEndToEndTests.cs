namespace FunctionApp.Tests.EndToEnd;

/// <summary>Fail closed while the vault is down at startup, recover without a restart, enforce expiry without a refresh.</summary>
public sealed class KeyVaultStartupEndToEndTests(VaultDownAtStartupWorkerFixture worker) : IClassFixture<VaultDownAtStartupWorkerFixture>
{
    [Fact]
    public async Task TheVaultDownAtStartupGives503ThenTheWorkerRecoversAndExpiryNeedsNoRefresh()
    {
        // Down: a valid key cannot be checked, so it is refused with 503 (after the 2 s first-load wait), never let through.
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/secure-endpoint") { Headers = { { "api-key", worker.Key } } })
        using (var response = await worker.Client.SendAsync(request))
        {
            Assert.Equal(503, (int)response.StatusCode);
            Assert.Equal("5", response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.ToString());
        }

        // Missing or malformed keys need no key ring to be refused.
        Assert.Equal(401, await worker.CallAsync("not a key"));
        Assert.Equal(503, await worker.CallAsync("well-formed-but-unknown"));
        await worker.Log.WaitForAsync(l => l.Contains("no key ring has loaded yet, so protected functions answer 503", StringComparison.Ordinal), TimeSpan.FromSeconds(5));

        // Up again: the refresher's retry (1, 2, 4 … s) loads the keys; no restart.
        worker.Vault.EndOutage();
        Assert.Equal(200, await worker.CallUntilAsync(worker.Key, 200, TimeSpan.FromSeconds(20)));
        Assert.True(DateTimeOffset.UtcNow < worker.ExpiresOn, "The worker recovered too late for the expiry part of this test.");
        Assert.Equal(200, await worker.CallAsync(worker.ExpiringKey));

        // The expiry passes with no reload in between (the interval is an hour): the ring enforces it per request.
        var listingsAfterRecovery = worker.Vault.Requests.Count(r => r.IsListRequest);
        Assert.Equal(401, await worker.CallUntilAsync(worker.ExpiringKey, 401, worker.ExpiresOn - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5)));
        Assert.True(DateTimeOffset.UtcNow >= worker.ExpiresOn);
        Assert.Equal(listingsAfterRecovery, worker.Vault.Requests.Count(r => r.IsListRequest));
        Assert.Equal(200, await worker.CallAsync(worker.Key));
        await worker.Log.WaitForAsync(l => l.Contains("Request to SecureEndpoint with API key expiring denied: expired;", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
    }
}
