using System.Reflection;
using FunctionApp.TestHost;
using FunctionApp.TestHost.Rpc;
using FunctionApp.TestHost.Timers;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Converters;
using ScheduleStatus = FunctionApp.TestHost.Timers.ScheduleStatus;
using TimerInfo = FunctionApp.TestHost.Timers.TimerInfo;
using WorkerTimerInfo = Microsoft.Azure.Functions.Worker.TimerInfo;

namespace FunctionApp.Tests.TestHost;

/// <summary>What a timer invocation carries to the worker, and that the worker's own converter reads it.</summary>
public sealed class TimerInfoTests
{
    private static readonly TimeZoneInfo PlusTwo = TimeZoneInfo.CreateCustomTimeZone("Test+2", TimeSpan.FromHours(2), "Test+2", "Test+2");
    private static readonly TimerSchedule EveryTenSeconds = TimerSchedule.Parse("*/10 * * * * *", TimeZoneInfo.Utc);

    [Fact]
    public void AnUnmonitoredScheduleSendsANullStatusAsTheHostsNewtonsoftJsonWritesIt()
    {
        var json = new TimerInfo(EveryTenSeconds, null, IsPastDue: false).ToJson();

        Assert.Equal("""{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}""", json);
    }

    [Fact]
    public void AMonitoredScheduleSendsItsStatusInLocalTimeWithItsOffset()
    {
        var status = new ScheduleStatus(
            ScheduleStatus.Never(TimeZoneInfo.Utc),
            new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.FromHours(2)),
            new DateTimeOffset(2026, 1, 1, 11, 59, 30, TimeSpan.FromHours(2)).AddTicks(1_234_500));

        var json = new TimerInfo(TimerSchedule.Parse("01:00:00", PlusTwo), status, IsPastDue: true).ToJson();

        Assert.Equal(
            """{"Schedule":{"AdjustForDST":false},"ScheduleStatus":{"Last":"0001-01-01T00:00:00+00:00","Next":"2026-01-01T12:00:00+02:00","LastUpdated":"2026-01-01T11:59:30.12345+02:00"},"IsPastDue":true}""",
            json);
    }

    [Fact]
    public void NeverIsTheFirstDayOfYearOneInTheHostsTimeZone()
    {
        Assert.Equal(new DateTimeOffset(1, 1, 1, 2, 0, 0, TimeSpan.FromHours(2)), ScheduleStatus.Never(PlusTwo));
        Assert.Equal(TimeSpan.FromHours(-7), ScheduleStatus.Never(TimeZoneInfo.CreateCustomTimeZone("Test-7", TimeSpan.FromHours(-7), "Test-7", "Test-7")).Offset);
    }

    [Fact]
    public async Task TheWorkersOwnTimerInfoConverterReadsEveryValueSent()
    {
        var status = new ScheduleStatus(
            new DateTimeOffset(2026, 1, 1, 11, 0, 0, TimeSpan.FromHours(2)),
            new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.FromHours(2)),
            new DateTimeOffset(2026, 1, 1, 11, 0, 0, 500, TimeSpan.FromHours(2)));

        var monitored = await ConvertInWorkerAsync(new TimerInfo(EveryTenSeconds, status, IsPastDue: true).ToJson());
        var unmonitored = await ConvertInWorkerAsync(new TimerInfo(EveryTenSeconds, null, IsPastDue: false).ToJson());

        Assert.True(monitored.IsPastDue);
        Assert.NotNull(monitored.ScheduleStatus);
        Assert.Equal(status.Last.LocalDateTime, monitored.ScheduleStatus.Last);
        Assert.Equal(status.Next.LocalDateTime, monitored.ScheduleStatus.Next);
        Assert.Equal(status.LastUpdated.LocalDateTime, monitored.ScheduleStatus.LastUpdated);
        Assert.False(unmonitored.IsPastDue);
        Assert.Null(unmonitored.ScheduleStatus);
    }

    [Fact]
    public void ARunsInvocationBindsTheJsonToTheTriggerParameterWithTheExtensionsBindingData()
    {
        var timer = TimerFunction.FromMetadata(TestFunctionMetadata.Timer("PublishKeyRing", "*/10 * * * * *"), new NameResolver(new Dictionary<string, string>()), TimeZoneInfo.Utc, DateTimeOffset.UnixEpoch)!;
        var timerInfo = new TimerInfo(timer.Schedule, null, IsPastDue: false);

        var invocation = timer.CreateInvocation(timerInfo, new DateTimeOffset(2026, 1, 1, 10, 0, 10, TimeSpan.Zero)).InvocationRequest;

        Assert.Equal("id-PublishKeyRing", invocation.FunctionId);
        var input = Assert.Single(invocation.InputData);
        Assert.Equal("timer", input.Name);
        Assert.Equal(TypedData.DataOneofCase.Json, input.Data.DataCase);
        Assert.Equal(timerInfo.ToJson(), input.Data.Json);
        var binding = Assert.Single(invocation.TriggerMetadata);
        Assert.Equal("TimerTrigger", binding.Key);
        Assert.Equal("01/01/2026 10:00:10", binding.Value.String);
        Assert.NotNull(invocation.TraceContext);
        Assert.True(Guid.TryParse(invocation.InvocationId, out _));
    }

    /// <summary>Runs the converter the worker uses for <c>TimerInfo</c> parameters (the one its trigger attribute names).</summary>
    private static async Task<WorkerTimerInfo> ConvertInWorkerAsync(string json)
    {
        var converterType = typeof(TimerTriggerAttribute).GetCustomAttribute<InputConverterAttribute>()!.ConverterType;
        var converter = (IInputConverter)Activator.CreateInstance(converterType, nonPublic: true)!;

        var result = await converter.ConvertAsync(new JsonSource(json));

        Assert.Equal(ConversionStatus.Succeeded, result.Status);
        return Assert.IsType<WorkerTimerInfo>(result.Value);
    }

    private sealed class JsonSource(string json) : ConverterContext
    {
        public override Type TargetType => typeof(WorkerTimerInfo);

        public override object? Source => json;

        public override FunctionContext FunctionContext => null!;

        public override IReadOnlyDictionary<string, object> Properties { get; } = new Dictionary<string, object>();
    }
}
