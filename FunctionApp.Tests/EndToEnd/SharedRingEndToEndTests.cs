using System.Diagnostics;
using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using Xunit.Abstractions;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// The shared ring's wiring in the unchanged worker: its own timer publishes, it follows the blob in Azurite with its
/// managed identity, and a key disabled in the vault is refused within a publish period and a poll.
/// </summary>
public sealed class SharedRingEndToEndTests(SharedRingWorkerFixture worker, ITestOutputHelper output) : IClassFixture<SharedRingWorkerFixture>
{
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task TheWorkerPublishesTheVaultsKeysAndFollowsTheRingByManagedIdentity()
    {
        Assert.True((await worker.Host.InvokeAsync("PublishKeyRing")).Succeeded);

        Assert.Equal(200, await worker.CallUntilAsync(worker.Key, 200, Propagation));
        await worker.Log.WaitForAsync(l => l.Contains("FunctionsApiKey.KeyRing: Loaded 2 API keys from sharedring", StringComparison.Ordinal), Propagation);
        Assert.Contains(worker.Log.Lines, l => l.Contains("FunctionsApiKey.SharedRing: Published key ring generation ", StringComparison.Ordinal));
        Assert.True(worker.Identity.TokensIssuedFor(FakeManagedIdentityEndpoint.StorageResource) >= 1);
        Assert.DoesNotContain(worker.Log.Lines, l => l.Contains("reading the vault directly", StringComparison.Ordinal));
        Assert.Equal(401, await worker.CallAsync(TestKeys.NewValue()));
    }

    [Fact]
    public async Task AKeyDisabledInTheVaultIsRefusedWithinAPublishAndAPoll()
    {
        Assert.Equal(200, await worker.CallUntilAsync(worker.RevokedLaterKey, 200, Propagation));

        var clock = Stopwatch.StartNew();
        worker.Vault.DisableSecret("apikey-revoked-later");
        Assert.Equal(401, await worker.CallUntilAsync(worker.RevokedLaterKey, 401, Propagation));
        var revokedAfter = clock.Elapsed;

        // Publish every 1 s, poll every 0.5 s: at most 1.5 s plus a publish and a load.
        output.WriteLine($"Refused {revokedAfter.TotalMilliseconds:F0} ms after the secret was disabled.");
        Assert.True(revokedAfter < TimeSpan.FromSeconds(5), $"Took {revokedAfter}.");
        Assert.Equal(200, await worker.CallAsync(worker.Key));
    }
}
