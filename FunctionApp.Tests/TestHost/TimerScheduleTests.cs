using FunctionApp.TestHost.Timers;

namespace FunctionApp.Tests.TestHost;

/// <summary>How a resolved schedule expression is read and when it next runs, as the WebJobs timer extension reads it.</summary>
public sealed class TimerScheduleTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 10, 0, 9, 500, TimeSpan.Zero);

    [Fact]
    public void SixFieldsAreACronExpressionWithSecondsFirst()
    {
        var schedule = TimerSchedule.Parse("*/10 * * * * *", TimeZoneInfo.Utc);

        Assert.Equal("Cron: '0,10,20,30,40,50 * * * * *'", schedule.ToString());
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 10, 0, 10, TimeSpan.Zero), schedule.GetNextOccurrence(Now));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 10, 0, 20, TimeSpan.Zero), schedule.GetNextOccurrence(new DateTimeOffset(2026, 1, 1, 10, 0, 10, TimeSpan.Zero)));
    }

    [Fact]
    public void FiveFieldsAreACronExpressionWithMinutesFirst()
    {
        var schedule = TimerSchedule.Parse("*/5 * * * *", TimeZoneInfo.Utc);

        Assert.Equal(new DateTimeOffset(2026, 1, 1, 10, 5, 0, TimeSpan.Zero), schedule.GetNextOccurrence(Now));
    }

    [Fact]
    public void ATimeSpanIsTheTimeBetweenRuns()
    {
        var schedule = TimerSchedule.Parse("00:00:30", TimeZoneInfo.Utc);

        Assert.Equal("Constant: 00:00:30", schedule.ToString());
        Assert.Equal(Now.AddSeconds(30), schedule.GetNextOccurrence(Now));
    }

    [Fact]
    public void ACronExpressionRunsOnTheClockOfTheHostsTimeZone()
    {
        var plusTwo = TimeZoneInfo.CreateCustomTimeZone("Test+2", TimeSpan.FromHours(2), "Test+2", "Test+2");
        var schedule = TimerSchedule.Parse("0 0 12 * * *", plusTwo);

        var next = schedule.GetNextOccurrence(new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.FromHours(2)), next);
        Assert.Equal(TimeSpan.FromHours(2), next.Offset);
    }

    [Theory]
    [InlineData("0 0 0 11 0 *")] // month 0
    [InlineData("0 0 * * * * *")] // seven fields
    [InlineData("every minute")]
    [InlineData("")]
    public void AnythingElseFailsWithTheExtensionsMessage(string expression)
    {
        var error = Assert.Throws<ArgumentException>(() => TimerSchedule.Parse(expression, TimeZoneInfo.Utc));

        Assert.Equal($"The schedule expression '{expression}' was not recognized as a valid cron expression or timespan string.", error.Message);
    }

    [Theory]
    [InlineData("*/10 * * * * *", true)]
    [InlineData("* * * * * *", true)]
    [InlineData("0 * * * * *", false)]
    [InlineData("0,30 0 * * * *", false)] // twice within one minute each hour, but the rule looks only at all-* minutes and up
    [InlineData("* * * * *", false)] // five fields: every minute
    [InlineData("00:00:59", true)]
    [InlineData("00:01:00", false)]
    public void TheScheduleMonitorIsTurnedOffForSchedulesThatRunMoreThanOnceAMinute(string expression, bool moreThanOnceAMinute)
    {
        Assert.Equal(moreThanOnceAMinute, TimerSchedule.Parse(expression, TimeZoneInfo.Utc).RunsMoreThanOncePerMinute(Now));
    }
}
