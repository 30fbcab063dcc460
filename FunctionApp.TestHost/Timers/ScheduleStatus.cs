namespace FunctionApp.TestHost.Timers;

/// <summary>
/// A monitored schedule's state, as the WebJobs extension's <c>ScheduleStatus</c> holds it and a function receives it in
/// its <c>TimerInfo</c>. Times are on the host's local clock.
/// </summary>
/// <param name="Last">The last run; <see cref="Never"/> before the first.</param>
/// <param name="Next">The run this status was computed for, or the one after the last.</param>
/// <param name="LastUpdated">When <see cref="Next"/> was last computed.</param>
internal sealed record ScheduleStatus(DateTimeOffset Last, DateTimeOffset Next, DateTimeOffset LastUpdated)
{
    /// <summary>
    /// The extension's "never": <c>default(DateTime).ToLocalTime()</c>, i.e. 0001-01-01 in the host's time zone (with
    /// its offset, clamped to the smallest date in zones west of UTC).
    /// </summary>
    public static DateTimeOffset Never(TimeZoneInfo timeZone)
    {
        var offset = timeZone.GetUtcOffset(DateTime.MinValue);
        return new DateTimeOffset(offset > TimeSpan.Zero ? DateTime.MinValue + offset : DateTime.MinValue, offset);
    }
}
