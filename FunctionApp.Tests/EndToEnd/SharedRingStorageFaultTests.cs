using System.Diagnostics;
using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using Xunit.Abstractions;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// The bounds docs/shared-ring.md states for storage that hangs, stalls or resets connections, with the vault up: a
/// fresh instance serves the vault's keys within a ring read's deadline and a vault load, and a running instance
/// refuses a key revoked in the vault within RingStaleAfter, a poll and a ring read's deadline, plus a vault load.
/// </summary>
public sealed class SharedRingStorageFaultTests(ITestOutputHelper output)
{
    // Loose enough for a busy 2-core machine; the old code took minutes, as the SDK retried each read up to 4 times
    // with a 100 s network timeout.
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(6);

    [Theory]
    [InlineData(ProxyFault.Hang)]
    [InlineData(ProxyFault.StallMidResponse)]
    [InlineData(ProxyFault.Reset)]
    public async Task AFreshInstanceServesTheVaultsKeysWithinAReadDeadlineWhenStorageFails(ProxyFault fault)
    {
        var worker = new FaultyStorageWorkerFixture(fault);
        try
        {
            var launch = Stopwatch.StartNew();
            await worker.InitializeAsync();
            var ready = Stopwatch.StartNew();

            var status = await worker.CallUntilAsync(worker.Key, 200, FaultyStorageWorkerFixture.RingStorageTimeout + TimeSpan.FromSeconds(40));
            output.WriteLine($"{fault}: first 200 {ready.Elapsed.TotalSeconds:F1} s after the worker was ready, {launch.Elapsed.TotalSeconds:F1} s after its launch; {worker.StorageProxy.Accepted} storage connections.");

            Assert.Equal(200, status);
            var bound = FaultyStorageWorkerFixture.RingStorageTimeout + Margin;
            Assert.True(ready.Elapsed < bound, $"Took {ready.Elapsed}, more than {bound}.");
            Assert.True(worker.StorageProxy.Accepted >= 1, "The worker never tried storage.");
            Assert.Equal(401, await worker.CallAsync(TestKeys.NewValue()));
            AssertStorageTroubleReportedNotEscaped(worker.Log);
        }
        finally
        {
            await worker.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(ProxyFault.Hang)]
    [InlineData(ProxyFault.StallMidResponse)]
    public async Task ARunningInstanceRefusesAKeyRevokedInTheVaultWithinTheStatedBoundWhenStorageHangs(ProxyFault fault)
    {
        var worker = new FaultyStorageWorkerFixture(ProxyFault.None);
        try
        {
            await worker.InitializeAsync();
            await worker.Log.WaitForAsync(l => l.Contains("FunctionsApiKey.SharedRing: Published key ring generation ", StringComparison.Ordinal), TimeSpan.FromSeconds(20));

            // A few polls, so the instance follows the ring (not the vault) when storage stops answering.
            await Task.Delay(FaultyStorageWorkerFixture.PollInterval * 4);
            Assert.Equal(200, await worker.CallAsync(worker.RevokedLaterKey));

            var clock = Stopwatch.StartNew();
            worker.StorageProxy.Fault = fault;
            worker.Vault.DisableSecret("apikey-revoked-later");
            var status = await worker.CallUntilAsync(worker.RevokedLaterKey, 401, TimeSpan.FromSeconds(45));
            var refusedAfter = clock.Elapsed;
            output.WriteLine($"{fault}: the revoked key got {status} {refusedAfter.TotalSeconds:F1} s after storage stopped answering.");

            // RingStaleAfter from the ring's last confirmation (at most the hang), then at most a poll interval with its
            // jitter (a fifth), a read's deadline, and a vault load.
            var bound = FaultyStorageWorkerFixture.StaleAfter + (FaultyStorageWorkerFixture.PollInterval * 1.2) + FaultyStorageWorkerFixture.RingStorageTimeout;
            Assert.Equal(401, status);
            Assert.True(refusedAfter < bound + Margin, $"Took {refusedAfter}, more than {bound} and a margin of {Margin}.");
            Assert.Equal(200, await worker.CallAsync(worker.Key));
            AssertStorageTroubleReportedNotEscaped(worker.Log);
        }
        finally
        {
            await worker.DisposeAsync();
        }
    }

    /// <summary>
    /// Storage trouble is one Warning from the ring (event 43), naming a storage failure, not a load that failed with
    /// whatever exception the network stack threw.
    /// </summary>
    private static void AssertStorageTroubleReportedNotEscaped(LogCapture log)
    {
        string[] escaped = ["SocketException", "IOException", "HttpRequestException", "AggregateException", "TaskCanceledException", "RequestFailedException", "Unhandled"];
        var lines = log.Lines;
        Assert.DoesNotContain(lines, l => l.Contains("FunctionsApiKey.", StringComparison.Ordinal) && escaped.Any(e => l.Contains(e, StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(lines, l => l.Contains("Loading API keys from sharedring failed", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("FunctionsApiKey.SharedRing: Reading the key ring from functionsapikey/keyring failed (storage", StringComparison.Ordinal));
    }
}
