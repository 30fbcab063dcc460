using System.Globalization;

namespace FunctionApp.TestHost.Timers;

/// <summary>
/// When a timer function runs, read from its resolved schedule expression as the WebJobs timer extension's
/// <c>TimerSchedule.Create</c> reads it: an NCrontab expression (six fields, seconds first; five fields are minutes
/// first), else a <see cref="TimeSpan"/> between runs, else an error. Times are local to the host's time zone, as the
/// extension's are (UTC in Azure unless WEBSITE_TIME_ZONE or TZ says otherwise).
/// </summary>
internal abstract class TimerSchedule
{
    /// <summary>The next occurrence strictly after <paramref name="now"/>.</summary>
    public abstract DateTimeOffset GetNextOccurrence(DateTimeOffset now);

    /// <summary>
    /// Whether it runs more than once a minute: then the extension turns the schedule monitor off whatever
    /// <c>useMonitor</c> says (<c>TimerSchedule.ShouldDisableScheduleMonitor</c>).
    /// </summary>
    public abstract bool RunsMoreThanOncePerMinute(DateTimeOffset now);

    /// <summary>
    /// The extension's obsolete <c>AdjustForDST</c>, the one public property of a schedule and so all of it that reaches
    /// the worker: true for cron, false for a time span.
    /// </summary>
    public abstract bool AdjustsForDaylightSaving { get; }

    /// <summary>How the extension logs the schedule, e.g. <c>Cron: '0,10,20,30,40,50 * * * * *'</c>.</summary>
    public abstract override string ToString();

    /// <exception cref="ArgumentException">With the extension's message: neither a cron expression nor a time span.</exception>
    public static TimerSchedule Parse(string expression, TimeZoneInfo timeZone)
    {
        if (CronTimerSchedule.TryParse(expression, timeZone) is { } cron)
        {
            return cron;
        }

        // The extension parses with the host's culture.
        return TimeSpan.TryParse(expression, CultureInfo.CurrentCulture, out var interval)
            ? new ConstantTimerSchedule(interval)
            : throw new ArgumentException($"The schedule expression '{expression}' was not recognized as a valid cron expression or timespan string.");
    }
}
