using System.Threading.Channels;
using FunctionApp.Testing;
using FunctionApp.TestHost;
using FunctionApp.TestHost.Rpc;
using FunctionApp.TestHost.Timers;

namespace FunctionApp.Tests.TestHost;

/// <summary>When a timer function runs and what it receives, on a fake clock, as the WebJobs timer listener runs it.</summary>
public sealed class TimerListenerTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 10, 0, 9, 500, TimeSpan.Zero);
    private static readonly TimeSpan NoRun = TimeSpan.FromMilliseconds(200);

    private readonly TimerAwareTimeProvider _time = new(Start);
    private readonly Channel<Run> _runs = Channel.CreateUnbounded<Run>();
    private readonly LogCapture _log = new();
    private TimerListener? _listener;

    /// <summary>What the function is called with; it ends when <see cref="End"/> completes.</summary>
    private TaskCompletionSource End { get; set; } = CompletedEnd();

    public async ValueTask DisposeAsync()
    {
        if (_listener is not null)
        {
            await _listener.DisposeAsync();
        }
    }

    [Fact]
    public async Task ItRunsOnEachOccurrenceAndNotBefore()
    {
        StartListener(TestFunctionMetadata.Timer("Tick", "*/10 * * * * *"));

        await AdvanceAsync(TimeSpan.FromMilliseconds(499), timers: 1);
        await AssertNoRunAsync();
        await AdvanceAsync(TimeSpan.FromMilliseconds(1), timers: 0);
        var first = await NextRunAsync();
        await AdvanceAsync(TimeSpan.FromSeconds(10), timers: 2);
        var second = await NextRunAsync();

        Assert.Equal([Start.AddMilliseconds(500), Start.AddSeconds(10.5)], [first.At, second.At]);
        Assert.All([first, second], run => Assert.False(run.TimerInfo.IsPastDue));
        Assert.All([first, second], run => Assert.Null(run.TimerInfo.ScheduleStatus)); // every 10 s: not monitored
        Assert.Contains("[host] The next 5 occurrences of the 'Tick' schedule (Cron: '0,10,20,30,40,50 * * * * *') will be:", _log.Lines);
        Assert.Contains("[host]   01/01/2026 10:00:10Z", _log.Lines);
    }

    [Fact]
    public async Task ARunThatOutlastsTheIntervalIsNeverOverlappedAndIsFollowedByOneCatchUpRun()
    {
        StartListener(TestFunctionMetadata.Timer("Tick", "* * * * * *"));
        End = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await AdvanceAsync(TimeSpan.FromMilliseconds(500), timers: 1);
        var slow = await NextRunAsync();
        await AdvanceAsync(TimeSpan.FromSeconds(3.5), timers: 0);
        await AssertNoRunAsync();

        var ended = End;
        End = CompletedEnd();
        ended.SetResult();
        var catchUp = await NextRunAsync();
        await AdvanceAsync(TimeSpan.FromMilliseconds(500), timers: 2);
        var onSchedule = await NextRunAsync();

        // Three occurrences fell during the slow run: one run makes up for them at once, not past due, then the schedule resumes.
        Assert.Equal(Start.AddSeconds(0.5), slow.At);
        Assert.Equal(Start.AddSeconds(4), catchUp.At);
        Assert.False(catchUp.TimerInfo.IsPastDue);
        Assert.Equal(Start.AddSeconds(4.5), onSchedule.At);
    }

    [Fact]
    public async Task RunOnStartupRunsOnceAtOnceAndThenOnSchedule()
    {
        StartListener(TestFunctionMetadata.Timer("Tick", "*/10 * * * * *", ("runOnStartup", true)));

        var startup = await NextRunAsync();
        await AdvanceAsync(TimeSpan.FromMilliseconds(500), timers: 1);
        var scheduled = await NextRunAsync();

        Assert.Equal(Start, startup.At);
        Assert.False(startup.TimerInfo.IsPastDue);
        Assert.Equal(Start.AddMilliseconds(500), scheduled.At);
        Assert.Contains("[host] Function 'Tick' is configured to run on startup. Executing now.", _log.Lines);
    }

    [Fact]
    public async Task AMonitoredScheduleSendsItsStatusAndTheAdminApiGetsTheStoredOne()
    {
        StartListener(TestFunctionMetadata.Timer("Hourly", "0 0 * * * *"));
        var never = DateTimeOffset.MinValue;
        var eleven = new DateTimeOffset(2026, 1, 1, 11, 0, 0, TimeSpan.Zero);

        var beforeAnyRun = _listener!.CreateManualTimerInfo();
        await AdvanceAsync(eleven - Start, timers: 1);
        var first = await NextRunAsync();
        await AdvanceAsync(TimeSpan.FromHours(1), timers: 2);
        var second = await NextRunAsync();
        var afterTwoRuns = _listener.CreateManualTimerInfo();

        // The listener starts from a status never updated; the store (what the admin API reads) from one written at start.
        Assert.Equal(new ScheduleStatus(never, eleven, Start), beforeAnyRun.ScheduleStatus);
        Assert.Equal(new ScheduleStatus(never, eleven, never), first.TimerInfo.ScheduleStatus);
        Assert.Equal(new ScheduleStatus(eleven, eleven.AddHours(1), eleven), second.TimerInfo.ScheduleStatus);
        Assert.Equal(new ScheduleStatus(eleven.AddHours(1), eleven.AddHours(2), eleven.AddHours(1)), afterTwoRuns.ScheduleStatus);
        Assert.False(beforeAnyRun.IsPastDue);
    }

    [Fact]
    public async Task UseMonitorFalseSendsNoStatusEvenForAnHourlySchedule()
    {
        StartListener(TestFunctionMetadata.Timer("Hourly", "0 0 * * * *", ("useMonitor", false)));

        await AdvanceAsync(TimeSpan.FromHours(1), timers: 1);
        var run = await NextRunAsync();

        Assert.Null(run.TimerInfo.ScheduleStatus);
        Assert.Null(_listener!.CreateManualTimerInfo().ScheduleStatus);
    }

    [Fact]
    public async Task AFailedRunDoesNotStopTheSchedule()
    {
        StartListener(TestFunctionMetadata.Timer("Tick", "*/10 * * * * *"));
        End = new TaskCompletionSource();
        End.SetException(new InvalidOperationException("the function failed"));

        await AdvanceAsync(TimeSpan.FromMilliseconds(500), timers: 1);
        await NextRunAsync();
        await AdvanceAsync(TimeSpan.FromSeconds(10), timers: 2);
        var next = await NextRunAsync();

        Assert.Equal(Start.AddSeconds(10.5), next.At);
        Assert.Contains("[host] ERROR: Error occurred during scheduled invocation for 'Tick': the function failed", _log.Lines);
    }

    [Fact]
    public async Task DisposingStopsTheScheduleAndAbandonsARunUnderWay()
    {
        StartListener(TestFunctionMetadata.Timer("Tick", "* * * * * *"));
        End = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await AdvanceAsync(TimeSpan.FromMilliseconds(500), timers: 1);
        await NextRunAsync();

        await _listener!.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        _listener = null;
        _time.Advance(TimeSpan.FromSeconds(5));

        await AssertNoRunAsync();
        Assert.Equal(1, _time.TimersCreated);
    }

    private static TaskCompletionSource CompletedEnd()
    {
        var end = new TaskCompletionSource();
        end.SetResult();
        return end;
    }

    private void StartListener(RpcFunctionMetadata metadata)
    {
        var timer = TimerFunction.FromMetadata(metadata, new NameResolver(new Dictionary<string, string>()), TimeZoneInfo.Utc, Start)!;
        _listener = new TimerListener(timer, InvokeAsync, _time, new HostLog(_log));
        _listener.Start();
    }

    private async Task InvokeAsync(TimerInfo timerInfo, CancellationToken stopping)
    {
        var end = End;
        await _runs.Writer.WriteAsync(new Run(_time.GetUtcNow(), timerInfo), stopping);
        await end.Task.WaitAsync(stopping);
    }

    /// <summary>Waits for the listener's <paramref name="timers"/>-th delay to be started, then moves the clock on.</summary>
    private async Task AdvanceAsync(TimeSpan by, int timers)
    {
        await _time.WaitForTimersAsync(timers);
        _time.Advance(by);
    }

    private async Task<Run> NextRunAsync() => await _runs.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));

    private async Task AssertNoRunAsync()
    {
        await Task.Delay(NoRun);
        Assert.False(_runs.Reader.TryRead(out var run), $"Unexpected run at {run?.At:O}.");
    }

    private sealed record Run(DateTimeOffset At, TimerInfo TimerInfo);
}
