using System.Globalization;
using FunctionApp.TestHost.Timers;

namespace FunctionApp.TestHost.Singleton;

/// <summary>
/// Runs a timer's listener only while this host holds the timer's listener lock, as the WebJobs SDK's
/// <c>SingletonListener</c> around its <c>TimerListener</c> (<c>[Singleton(Mode = Listener)]</c>):
/// <list type="bullet">
/// <item>At start it tries once for the lock <c>{hostId}/Host.Functions.{name}.Listener</c>; with it, the schedule runs;
/// without it (another instance holds it, or storage failed), it tries again every
/// <see cref="SingletonSettings.ListenerLockRecoveryPollingInterval"/>.</item>
/// <item>The lock lasts <see cref="SingletonSettings.ListenerLockPeriod"/> and is renewed halfway through it; a renewal
/// that storage fails is tried again sooner (halving the wait, down to a second) while the lease may still hold.</item>
/// <item>When the lock is lost (storage refuses the renewal, or renewals failed for a whole period), the host restarts
/// itself, which stops every listener and starts them again. Here only this timer's listener stops, and it goes back to
/// trying for the lock: the same for the timer, without restarting the other functions.</item>
/// <item>Stopping the host releases the lock, so another instance takes it at its next try; a host that dies leaves it
/// to expire, so another instance may wait up to the lease period plus the retry interval.</item>
/// </list>
/// </summary>
internal sealed class SingletonTimerListener : IAsyncDisposable
{
    /// <summary>The SDK's shortest wait between renewals after a failure.</summary>
    private static readonly TimeSpan MinimumRenewalInterval = TimeSpan.FromSeconds(1);

    private readonly TimerListener _listener;
    private readonly IListenerLockManager _locks;
    private readonly SingletonSettings _settings;
    private readonly TimeProvider _time;
    private readonly HostLog _log;
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;
    private IListenerLock? _held;

    /// <param name="listener">The timer's own listener, started and stopped with the lock.</param>
    /// <param name="locks">Where the lock lives.</param>
    /// <param name="hostId">The host id, which scopes the lock to this app.</param>
    /// <param name="settings">The lease's timings.</param>
    /// <param name="time">The host's clock.</param>
    /// <param name="log">The host log.</param>
    public SingletonTimerListener(TimerListener listener, IListenerLockManager locks, string hostId, SingletonSettings settings, TimeProvider time, HostLog log)
    {
        _listener = listener;
        _locks = locks;
        _settings = settings;
        _time = time;
        _log = log;
        LockId = $"{hostId}/Host.Functions.{listener.Function.Name}.Listener";
    }

    /// <summary>The lock's id, as the SDK formats it for a function's listener.</summary>
    public string LockId { get; }

    /// <summary>The timer function's name.</summary>
    public string FunctionName => _listener.Function.Name;

    /// <summary>Whether this host holds the lock and runs the schedule.</summary>
    public bool IsListening => Volatile.Read(ref _held) is not null;

    public void Start() => _running = Task.Run(() => RunAsync(_stopping.Token));

    /// <summary>Stops the schedule and releases the lock, as a host stopping normally does.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _held, null) is { } held)
        {
            await held.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
            _log.Host($"Singleton lock released ({LockId})");
        }

        _stopping.Dispose();
    }

    /// <summary>Stops the schedule and renewals and keeps the lock, as a host that dies leaves it: it expires in storage.</summary>
    public async ValueTask AbandonAsync()
    {
        await StopAsync().ConfigureAwait(false);
        Volatile.Write(ref _held, null);
        _stopping.Dispose();
    }

    private async Task StopAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        await _running.ConfigureAwait(false);
        await _listener.StopAsync().ConfigureAwait(false);
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            while (true)
            {
                if (await TryAcquireAsync(stopping).ConfigureAwait(false) is not { } held)
                {
                    await Task.Delay(_settings.ListenerLockRecoveryPollingInterval, _time, stopping).ConfigureAwait(false);
                    continue;
                }

                Volatile.Write(ref _held, held);
                _log.Host($"Singleton lock acquired ({LockId})");
                _listener.Start();
                await RenewUntilLostAsync(held, stopping).ConfigureAwait(false);
                Volatile.Write(ref _held, null);
                await _listener.StopAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping; the caller releases or abandons the lock.
        }
    }

    private async Task<IListenerLock?> TryAcquireAsync(CancellationToken stopping)
    {
        try
        {
            if (await _locks.TryAcquireAsync(LockId, _settings.ListenerLockPeriod, stopping).ConfigureAwait(false) is { } held)
            {
                return held;
            }

            _log.Host($"Unable to acquire Singleton lock ({LockId}).");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            _log.Host($"Unable to acquire Singleton lock ({LockId}): {_locks.Describe(LockId)}: {ex.GetType().Name}: {ex.Message.Split('\n')[0].Trim()}");
        }

        return null;
    }

    /// <summary>Renews the lock until it is lost; returns then, or throws when the host stops.</summary>
    private async Task RenewUntilLostAsync(IListenerLock held, CancellationToken stopping)
    {
        var normalInterval = _settings.ListenerLockPeriod / 2;
        var lastRenewal = _time.GetUtcNow();
        var interval = normalInterval;
        while (true)
        {
            await Task.Delay(interval, _time, stopping).ConfigureAwait(false);
            var renewal = await held.RenewAsync(stopping).ConfigureAwait(false);
            stopping.ThrowIfCancellationRequested();
            var now = _time.GetUtcNow();
            if (renewal == LockRenewal.Renewed)
            {
                lastRenewal = now;
                interval = normalInterval;
                continue;
            }

            if (renewal == LockRenewal.Failed && now - lastRenewal < _settings.ListenerLockPeriod)
            {
                interval = interval / 2 < MinimumRenewalInterval ? MinimumRenewalInterval : interval / 2;
                continue;
            }

            // The host's line, after which it restarts its listeners.
            var since = (now - lastRenewal).TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture);
            _log.Host($"Singleton lock renewal failed for blob '{_locks.Describe(LockId)}' ({renewal}). The last successful renewal completed at {lastRenewal:o} ({since} milliseconds ago). The lease period was {_settings.ListenerLockPeriod.TotalMilliseconds:F0} milliseconds. Stopping the '{_listener.Function.Name}' listener.");
            return;
        }
    }
}
