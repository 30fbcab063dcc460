using FunctionApp.TestHost;
using FunctionApp.TestHost.Rpc;
using Microsoft.Extensions.Time.Testing;

namespace FunctionApp.Tests.TestHost;

/// <summary>Which of the worker's functions the host schedules, loads, or puts in error, and with which message.</summary>
public sealed class FunctionIndexTests
{
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 1, 1, 10, 0, 9, TimeSpan.Zero));

    [Fact]
    public void AScheduleFromASettingIsTheSettingsValue()
    {
        var index = Index(new() { ["ApiKeys__PublishSchedule"] = "*/10 * * * * *" }, TestFunctionMetadata.Timer("PublishKeyRing", "%ApiKeys:PublishSchedule%"));

        var timer = Assert.Single(index.Timers);
        Assert.Equal("Cron: '0,10,20,30,40,50 * * * * *'", timer.Schedule.ToString());
        Assert.Equal("timer", timer.TriggerParameter);
        Assert.False(timer.RunOnStartup);
        Assert.False(timer.UseMonitor); // every 10 s: the extension turns the monitor off
        Assert.Empty(index.Errors);
    }

    [Fact]
    public void AnUnresolvableSchedulePutsOnlyThatTimerInErrorWithTheHostsMessage()
    {
        var index = Index(
            [],
            TestFunctionMetadata.Timer("PublishKeyRing", "%ApiKeys:PublishSchedule%"),
            TestFunctionMetadata.Timer("Cleanup", "0 0 * * * *"),
            TestFunctionMetadata.Http("Items", "items", "get"));

        Assert.Equal(
            "Microsoft.Azure.WebJobs.Host: Error indexing method 'Functions.PublishKeyRing'. Microsoft.Azure.WebJobs.Host: '%ApiKeys:PublishSchedule%' does not resolve to a value.",
            Assert.Single(index.Errors).Value);
        Assert.Equal(["Cleanup"], index.Timers.Select(t => t.Name));
        Assert.Equal(["Items"], index.Routes.Functions.Select(f => f.Name));

        // The host has loaded it before its trigger fails to index: it is there for the admin API, on no schedule.
        Assert.Equal(["PublishKeyRing", "Cleanup", "Items"], index.Loaded.Select(f => f.Name));
        Assert.NotNull(index.Find("publishkeyring"));
    }

    [Fact]
    public void AnInvalidSchedulePutsTheTimerInErrorWithTheExtensionsMessage()
    {
        var index = Index([], TestFunctionMetadata.Timer("Monthly", "0 0 0 11 0 *"));

        Assert.Empty(index.Timers);
        Assert.Equal(
            "Microsoft.Azure.WebJobs.Host: Error indexing method 'Functions.Monthly'. Microsoft.Azure.WebJobs.Extensions: The schedule expression '0 0 0 11 0 *' was not recognized as a valid cron expression or timespan string.",
            index.Errors["monthly"]);
    }

    [Fact]
    public void RunOnStartupAndUseMonitorAreReadFromTheBindingIgnoringCase()
    {
        var index = Index(
            [],
            TestFunctionMetadata.Timer("Hourly", "0 0 * * * *"),
            TestFunctionMetadata.Timer("Unmonitored", "0 0 * * * *", ("RunOnStartup", true), ("useMonitor", "false")));

        Assert.Equal([(false, true), (true, false)], index.Timers.Select(t => (t.RunOnStartup, t.UseMonitor)));
    }

    [Fact]
    public void ABindingPropertyOfTheWrongTypePutsTheTimerInErrorBeforeItIsLoaded()
    {
        var index = Index([], TestFunctionMetadata.Timer("Hourly", "0 0 * * * *", ("runOnStartup", "yes")));

        Assert.Equal(
            "Error parsing function.json: Invalid value specified for binding property 'runOnStartup' of type Boolean. String 'yes' was not recognized as a valid Boolean.",
            index.Errors["Hourly"]);
        Assert.Empty(index.Loaded);
        Assert.Null(index.Find("Hourly"));
    }

    [Fact]
    public void AFunctionWithAReservedRouteIsInErrorAndNotLoaded()
    {
        var index = Index([], TestFunctionMetadata.Http("Keys", "admin/keys", "get"), TestFunctionMetadata.Timer("Hourly", "0 0 * * * *"));

        Assert.Equal("The specified route conflicts with one or more built in routes.", index.Errors["Keys"]);
        Assert.Equal(["Hourly"], index.Loaded.Select(f => f.Name));
    }

    private static FunctionIndex Index(Dictionary<string, string> settings, params RpcFunctionMetadata[] metadata) =>
        FunctionIndex.Create(metadata, "api", new NameResolver(settings), Time);
}
