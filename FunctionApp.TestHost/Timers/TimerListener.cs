using System.Globalization;

namespace FunctionApp.TestHost.Timers;

/// <summary>
/// Runs one timer function on its schedule, as the WebJobs extension's <c>TimerListener</c> does:
/// <list type="bullet">
/// <item>One run at a time: the next run is scheduled only when the previous one has ended. Its time is computed from
/// when the previous run started, so a run that outlasts the interval is followed at once by a single catch-up run (not
/// past due), and occurrences missed meanwhile are dropped.</item>
/// <item><c>runOnStartup</c> runs the function once as soon as the listener starts, then on schedule.</item>
/// <item>A monitored schedule (<see cref="TimerFunction.UseMonitor"/>) sends its <see cref="ScheduleStatus"/> with each
/// run. The host keeps it in storage, so after a restart it can run an occurrence missed while it was down with
/// <c>IsPastDue</c>. This host keeps it in memory for its lifetime, so it never has a missed occurrence at startup; it
/// keeps it across worker restarts, which, as on the host, leave the schedule running.</item>
/// <item>A failed run does not stop the schedule.</item>
/// </list>
/// It runs only while its host holds the timer's listener lock (<see cref="Singleton.SingletonTimerListener"/>), which
/// starts and stops it as the lock is taken and lost.
/// </summary>
internal sealed class TimerListener : IAsyncDisposable
{
    /// <summary>The longest wait the extension gives its <c>System.Timers.Timer</c>; longer intervals are waited for in parts.</summary>
    private static readonly TimeSpan MaxTimerInterval = TimeSpan.FromDays(24);

    private readonly TimerFunction _function;
    private readonly Func<TimerInfo, CancellationToken, Task> _invoke;
    private readonly TimeProvider _time;
    private readonly HostLog _log;
    private CancellationTokenSource? _stopping;
    private ScheduleStatus _status = null!;
    private ScheduleStatus? _stored;
    private Task _running = Task.CompletedTask;

    /// <param name="function">The timer function.</param>
    /// <param name="invoke">Runs the function with a <see cref="TimerInfo"/> and completes when the run has ended.</param>
    /// <param name="time">The host's clock and time zone.</param>
    /// <param name="log">The host log.</param>
    public TimerListener(TimerFunction function, Func<TimerInfo, CancellationToken, Task> invoke, TimeProvider time, HostLog log)
    {
        _function = function;
        _invoke = invoke;
        _time = time;
        _log = log;
    }

    public TimerFunction Function => _function;

    /// <summary>
    /// Computes the first occurrence, logs the next five, and starts the schedule in the background; again after
    /// <see cref="StopAsync"/>, as the host restarts a listener whose lock it takes back (<c>runOnStartup</c> included).
    /// </summary>
    public void Start()
    {
        if (_stopping is not null)
        {
            throw new InvalidOperationException($"The '{_function.Name}' listener is already running.");
        }

        var now = _time.GetLocalNow();
        var never = ScheduleStatus.Never(_time.LocalTimeZone);
        var next = _function.Schedule.GetNextOccurrence(now);

        // An empty store, as the host's ScheduleMonitor.CheckPastDueAsync finds on a first start: it records the first
        // occurrence, while the listener starts from a status that has never been updated.
        Volatile.Write(ref _stored, _function.UseMonitor ? new ScheduleStatus(never, next, now) : null);
        _status = new ScheduleStatus(never, next, never);
        LogNextOccurrences(now);
        var stopping = _stopping = new CancellationTokenSource();
        _running = Task.Run(() => RunAsync(stopping.Token));
    }

    /// <summary>Stops the schedule; a run under way is abandoned, not awaited to its end. Start may follow.</summary>
    public async Task StopAsync()
    {
        if (_stopping is not { } stopping)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        stopping.Dispose();
        _stopping = null;
    }

    /// <summary>
    /// What a call through the admin API receives: the extension's trigger binding makes a <see cref="TimerInfo"/> with
    /// the stored status (when monitored), never past due, whatever input the call gave.
    /// </summary>
    public TimerInfo CreateManualTimerInfo() => new(_function.Schedule, Volatile.Read(ref _stored), IsPastDue: false);

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task RunAsync(CancellationToken stopping)
    {
        var runOnStartup = _function.RunOnStartup;
        try
        {
            while (true)
            {
                if (runOnStartup)
                {
                    _log.Host($"Function '{_function.Name}' is configured to run on startup. Executing now.");
                }
                else
                {
                    await DelayAsync(_status.Next - _time.GetLocalNow(), stopping).ConfigureAwait(false);
                }

                await InvokeAsync(_time.GetLocalNow(), runOnStartup, stopping).ConfigureAwait(false);
                runOnStartup = false;
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    private async Task InvokeAsync(DateTimeOffset invocationTime, bool runOnStartup, CancellationToken stopping)
    {
        var timerInfo = new TimerInfo(_function.Schedule, _function.UseMonitor ? _status : null, IsPastDue: false);
        try
        {
            await _invoke(timerInfo, stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            // A failed run does not stop the schedule.
            _log.Host($"ERROR: Error occurred during scheduled invocation for '{_function.Name}': {ex.Message}");
        }

        stopping.ThrowIfCancellationRequested();

        // A timer that fires a little early counts as fired on time, so the same occurrence is not computed twice.
        var adjusted = !runOnStartup && _status.Next > invocationTime ? _status.Next : invocationTime;
        _status = new ScheduleStatus(adjusted, _function.Schedule.GetNextOccurrence(adjusted), adjusted);
        if (_function.UseMonitor)
        {
            Volatile.Write(ref _stored, _status);
        }
    }

    /// <summary>Waits for <paramref name="interval"/>, at once when it is not positive (the next run is overdue).</summary>
    private async Task DelayAsync(TimeSpan interval, CancellationToken stopping)
    {
        while (interval > MaxTimerInterval)
        {
            await Task.Delay(MaxTimerInterval, _time, stopping).ConfigureAwait(false);
            interval -= MaxTimerInterval;
        }

        if (interval > TimeSpan.Zero)
        {
            await Task.Delay(interval, _time, stopping).ConfigureAwait(false);
        }
    }

    /// <summary>The extension's startup line, with occurrences formatted as its <c>TimerInfo.FormatNextOccurrences</c> does.</summary>
    private void LogNextOccurrences(DateTimeOffset now)
    {
        const string Format = "MM'/'dd'/'yyyy HH':'mm':'ss";
        var isUtc = _time.LocalTimeZone.HasSameRules(TimeZoneInfo.Utc);
        _log.Host($"The next 5 occurrences of the '{_function.Name}' schedule ({_function.Schedule}) will be:");
        var occurrence = now;
        for (var i = 0; i < 5; i++)
        {
            occurrence = _function.Schedule.GetNextOccurrence(occurrence);
            var utc = occurrence.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture) + "Z";
            _log.Host("  " + (isUtc ? utc : $"{occurrence.ToString(Format + "zzz", CultureInfo.InvariantCulture)} ({utc})"));
        }
    }
}
