using System.Globalization;

namespace FunctionApp.TestHost.Timers;

/// <summary>A schedule written as a <see cref="TimeSpan"/>: each run is that long after the previous one started.</summary>
internal sealed class ConstantTimerSchedule(TimeSpan interval) : TimerSchedule
{
    public override bool AdjustsForDaylightSaving => false;

    public override DateTimeOffset GetNextOccurrence(DateTimeOffset now) => now + interval;

    public override bool RunsMoreThanOncePerMinute(DateTimeOffset now) => interval.TotalMinutes < 1;

    public override string ToString() => string.Format(CultureInfo.InvariantCulture, "Constant: {0}", interval);
}
