using System.Globalization;
using NCrontab;

namespace FunctionApp.TestHost.Timers;

/// <summary>
/// A cron schedule, parsed by NCrontab as the WebJobs extension's <c>CronSchedule</c> parses it: with a seconds field
/// unless the expression has exactly five fields. Occurrences are computed on the local clock of
/// the host's time zone; a local time skipped by a daylight-saving change runs at the same instant the
/// extension's <c>ToLocalTime</c> gives it. The extension's further adjustment for the hour repeated when daylight
/// saving ends is not reproduced.
/// </summary>
internal sealed class CronTimerSchedule : TimerSchedule
{
    private readonly CrontabSchedule _cron;
    private readonly TimeZoneInfo _timeZone;

    private CronTimerSchedule(CrontabSchedule cron, TimeZoneInfo timeZone)
    {
        _cron = cron;
        _timeZone = timeZone;
    }

    /// <summary>Null when NCrontab does not accept the expression.</summary>
    public static CronTimerSchedule? TryParse(string expression, TimeZoneInfo timeZone)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var cron = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields != 5 });
        return cron is null ? null : new CronTimerSchedule(cron, timeZone);
    }

    public override bool AdjustsForDaylightSaving => true;

    public override DateTimeOffset GetNextOccurrence(DateTimeOffset now)
    {
        var next = _cron.GetNextOccurrence(TimeZoneInfo.ConvertTime(now, _timeZone).DateTime);
        var instant = new DateTimeOffset(next, _timeZone.GetUtcOffset(next));
        return TimeZoneInfo.ConvertTime(instant, _timeZone);
    }

    public override bool RunsMoreThanOncePerMinute(DateTimeOffset now)
    {
        // The extension's test: every field but the seconds is '*', and more than one occurrence falls in the next minute.
        if (!_cron.ToString().Split(' ').Skip(1).All(field => field == "*"))
        {
            return false;
        }

        var local = TimeZoneInfo.ConvertTime(now, _timeZone).DateTime;
        return _cron.GetNextOccurrences(local, local.AddMinutes(1)).Skip(1).Any();
    }

    public override string ToString() => string.Format(CultureInfo.InvariantCulture, "Cron: '{0}'", _cron);
}
