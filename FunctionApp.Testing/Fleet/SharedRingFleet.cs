using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using FunctionApp.TestHost;
using FunctionApp.Testing.FakeKeyVault;

namespace FunctionApp.Testing.Fleet;

/// <summary>
/// Several instances of the unchanged FunctionApp, each under its own test host with its own worker process, sharing one
/// fake Azure (one vault, one Azurite as <c>AzureWebJobsStorage</c>, one managed identity), as a scaled-out app shares
/// them: keys from the shared ring, and the PublishKeyRing timer on every instance, run by whichever holds its listener
/// lease. The instances get the same app folder, so the same default host id, and compete for the same lease.
/// </summary>
public sealed class SharedRingFleet : IAsyncDisposable
{
    /// <summary>The secret revoked during a handover.</summary>
    public const string RevokedLaterSecret = "apikey-revoked-later";

    private readonly ECDsa _signer;
    private readonly List<FleetInstance> _instances = [];

    private SharedRingFleet(FakeAzureEnvironment azure, ECDsa signer)
    {
        Azure = azure;
        _signer = signer;
    }

    public FakeAzureEnvironment Azure { get; }

    public IReadOnlyList<FleetInstance> Instances => _instances;

    /// <summary>A key every instance serves throughout.</summary>
    public string Key { get; } = TestKeys.NewValue();

    /// <summary>A key that <see cref="HandOverAsync"/> revokes in the vault at the moment it kills the publisher.</summary>
    public string RevokedLaterKey { get; } = TestKeys.NewValue();

    /// <summary>The vault's requests past the auth challenge so far.</summary>
    public int VaultRequests => Azure.Vault.Requests.Count(r => r.HadToken);

    /// <summary>
    /// Starts the fake Azure and then <paramref name="instances"/> instances, one after the other, and waits until one of
    /// them publishes and every one serves <see cref="Key"/>.
    /// </summary>
    /// <param name="instances">How many.</param>
    /// <param name="publishSchedule">The publisher's schedule (<c>ApiKeys__PublishSchedule</c>).</param>
    /// <param name="leasePeriod">The listener lease (<c>singleton.listenerLockPeriod</c>); null for the host's 60 s.</param>
    /// <param name="leaseRetry">How often the others try for it (<c>singleton.listenerLockRecoveryPollingInterval</c>); null for the host's minute.</param>
    /// <param name="startupTimeout">How long the fleet may take to be ready.</param>
    public static async Task<SharedRingFleet> StartAsync(int instances, string publishSchedule, TimeSpan? leasePeriod, TimeSpan? leaseRetry, TimeSpan startupTimeout)
    {
        var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        FakeAzureEnvironment? azure = null;
        SharedRingFleet? fleet = null;
        try
        {
            azure = await FakeAzureEnvironment.StartAsync(withStorage: true);
            fleet = new SharedRingFleet(azure, signer);
            azure.Vault.SetSecret("keyring-signing-key", signer.ExportPkcs8PrivateKeyPem());
            azure.Vault.SetSecret("apikey-fleet", fleet.Key, tags: KeyTags.EveryFunction);
            azure.Vault.SetSecret(RevokedLaterSecret, TestKeys.Sha256Text(fleet.RevokedLaterKey), tags: KeyTags.EveryFunction);

            var environment = fleet.Environment(publishSchedule, leasePeriod, leaseRetry);
            for (var number = 1; number <= instances; number++)
            {
                var log = new LogCapture();
                var host = await FunctionsHost.StartAsync(new FunctionsHostOptions { Port = 0, Environment = environment, Log = log, StartupTimeout = startupTimeout });
                fleet._instances.Add(new FleetInstance(number, host, log));
            }

            await fleet.WaitUntilReadyAsync(startupTimeout);
            return fleet;
        }
        catch
        {
            if (fleet is not null)
            {
                await fleet.DisposeAsync();
            }
            else
            {
                signer.Dispose();
                if (azure is not null)
                {
                    await azure.DisposeAsync();
                }
            }

            throw;
        }
    }

    /// <summary>Watches the fleet for <paramref name="window"/>: who runs the publisher, and what the vault is asked.</summary>
    public async Task<SteadyState> ObserveAsync(TimeSpan window)
    {
        var runsBefore = _instances.Select(i => i.TimerRuns).ToList();
        var requestsBefore = Azure.Vault.Requests.Where(r => r.HadToken).ToList();
        var most = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < window)
        {
            most = Math.Max(most, _instances.Count(i => i.IsPublisher));
            await Task.Delay(100);
        }

        var requests = Azure.Vault.Requests.Where(r => r.HadToken).Skip(requestsBefore.Count).ToList();
        return new SteadyState(window, [.. _instances.Select((i, n) => i.TimerRuns - runsBefore[n])], requests.Count(r => r.IsListRequest), requests.Count, most);
    }

    /// <summary>
    /// Kills the instance that publishes, as a crash would, and at once disables <see cref="RevokedLaterSecret"/> in the
    /// vault. Meanwhile it polls <c>/secure-endpoint</c> on every surviving instance every 100 ms, with
    /// <see cref="Key"/> and with <see cref="RevokedLaterKey"/>, and watches who holds the lease; it ends once another
    /// instance has run the publisher and every survivor has refused the revoked key for a second.
    /// </summary>
    /// <exception cref="TimeoutException">No instance took over, or a survivor kept serving the revoked key, within <paramref name="timeout"/>.</exception>
    public async Task<HandoverResult> HandOverAsync(TimeSpan timeout)
    {
        var publisher = _instances.Single(i => i.IsPublisher);
        var survivors = _instances.Where(i => i != publisher && !i.Stopped).ToList();
        var runsAtKill = survivors.ToDictionary(s => s, s => s.TimerRuns);
        var answers = new ConcurrentQueue<(TimeSpan At, FleetInstance Instance, bool Revoked, int Status)>();
        var most = 0;
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var pollers = survivors.Select(survivor => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                answers.Enqueue((clock.Elapsed, survivor, false, await StatusAsync(survivor, Key)));
                answers.Enqueue((clock.Elapsed, survivor, true, await StatusAsync(survivor, RevokedLaterKey)));
                InterlockedMax(ref most, _instances.Count(i => i.IsPublisher));
                await Task.Delay(100, CancellationToken.None);
            }
        })).ToList();

        try
        {
            var vaultAtKill = VaultRequests;
            clock.Restart();
            answers.Clear();
            await publisher.KillAsync();
            Azure.Vault.DisableSecret(RevokedLaterSecret);

            FleetInstance? tookOver = null;
            while (tookOver is null)
            {
                if (clock.Elapsed > timeout)
                {
                    throw new TimeoutException($"No instance ran the publisher within {timeout} of the kill.");
                }

                await Task.Delay(50);
                tookOver = survivors.FirstOrDefault(s => s.TimerRuns > runsAtKill[s]);
            }

            var handover = clock.Elapsed;
            var vaultDuringHandover = VaultRequests - vaultAtKill;
            while (!survivors.All(s => RefusedForASecond(answers, s)))
            {
                if (clock.Elapsed > timeout)
                {
                    throw new TimeoutException($"A surviving instance still served the revoked key {timeout} after the kill.");
                }

                await Task.Delay(100);
            }

            await stop.CancelAsync();
            await Task.WhenAll(pollers);
            var refusedEverywhere = survivors.Max(s => RefusedSince(answers, s));
            var keyAnswers = answers.Where(a => !a.Revoked).ToList();
            return new HandoverResult(
                publisher.Number,
                tookOver.Number,
                handover,
                vaultDuringHandover,
                refusedEverywhere,
                keyAnswers.Count,
                [.. keyAnswers.Where(a => a.Status != 200).Select(a => a.Status)],
                most);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(pollers);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var instance in _instances.Where(i => !i.Stopped))
            {
                await instance.DisposeAsync();
            }
        }
        finally
        {
            foreach (var instance in _instances)
            {
                instance.Client.Dispose();
            }

            _signer.Dispose();
            await Azure.DisposeAsync();
        }
    }

    private Dictionary<string, string?> Environment(string publishSchedule, TimeSpan? leasePeriod, TimeSpan? leaseRetry)
    {
        var environment = Azure.SharedRingEnvironment(TimeSpan.FromMinutes(5), _signer, publishSchedule);

        // Long enough that no instance reads the vault itself during a handover: every vault request is a publisher's.
        environment["ApiKeys__RingStaleAfter"] = "00:05:00";
        environment["AzureFunctionsJobHost__singleton__listenerLockPeriod"] = leasePeriod?.ToString("c", CultureInfo.InvariantCulture);
        environment["AzureFunctionsJobHost__singleton__listenerLockRecoveryPollingInterval"] = leaseRetry?.ToString("c", CultureInfo.InvariantCulture);
        return environment;
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (_instances.Count(i => i.IsPublisher && i.TimerRuns > 0) != 1 || !(await Task.WhenAll(_instances.Select(i => StatusAsync(i, Key)))).All(s => s == 200))
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"The fleet was not ready within {timeout}: publishers {string.Join(", ", _instances.Where(i => i.IsPublisher).Select(i => i.Number))}.");
            }

            await Task.Delay(200);
        }
    }

    private static async Task<int> StatusAsync(FleetInstance instance, string key)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/secure-endpoint");
            request.Headers.Add("api-key", key);
            using var response = await instance.Client.SendAsync(request);
            return (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }

    private static bool RefusedForASecond(IEnumerable<(TimeSpan At, FleetInstance Instance, bool Revoked, int Status)> answers, FleetInstance survivor)
    {
        var mine = answers.Where(a => a.Instance == survivor && a.Revoked).ToList();
        var since = RefusedSince(mine, survivor);
        return mine.Count > 0 && mine[^1].Status == 401 && mine[^1].At - since >= TimeSpan.FromSeconds(1);
    }

    /// <summary>The time of the first answer from which on every answer to the revoked key was 401.</summary>
    private static TimeSpan RefusedSince(IEnumerable<(TimeSpan At, FleetInstance Instance, bool Revoked, int Status)> answers, FleetInstance survivor)
    {
        var mine = answers.Where(a => a.Instance == survivor && a.Revoked).ToList();
        var last = mine.FindLastIndex(a => a.Status != 401);
        return last + 1 < mine.Count ? mine[last + 1].At : TimeSpan.MaxValue;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
