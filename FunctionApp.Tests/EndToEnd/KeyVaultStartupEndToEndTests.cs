using System.Diagnostics;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// The wiring of a failed start: while the vault is down the worker answers 503 at once instead of letting requests
/// pile up, and its retry timer recovers without a restart.
/// </summary>
public sealed class KeyVaultStartupEndToEndTests(VaultDownAtStartupWorkerFixture worker) : IClassFixture<VaultDownAtStartupWorkerFixture>
{
    [Fact]
    public async Task TheVaultDownAtStartupGives503AtOnceThenTheWorkerRecovers()
    {
        // The first load has failed (the fixture waits for its warning), so a valid key gets 503 without waiting for
        // FirstLoadTimeout, and is never let through.
        await worker.Log.WaitForAsync(l => l.Contains("no key ring has loaded yet, so protected functions answer 503", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        var clock = Stopwatch.StartNew();
        using (var request = SecureEndpoint.Request(worker.Key))
        using (var response = await worker.Client.SendAsync(request))
        {
            Assert.Equal(503, (int)response.StatusCode);
            Assert.Equal("5", response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.ToString());
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"The 503 took {clock.Elapsed}; FirstLoadTimeout is 2 s.");
        Assert.Equal(401, await worker.CallAsync("not a key"));

        // Up again: the refresher's retry (1, 2, 4 … s) loads the keys; no restart.
        worker.Vault.EndOutage();
        Assert.Equal(200, await worker.CallUntilAsync(worker.Key, 200, TimeSpan.FromSeconds(20)));
    }
}
