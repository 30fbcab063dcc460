using Microsoft.Extensions.Time.Testing;

namespace FunctionApp.Tests;

/// <summary>
/// A fake clock that also tells how many timers code has started on it. Advancing the clock before a background
/// loop has started its next delay would skip that delay altogether; tests wait for the timer first.
/// </summary>
internal sealed class TimerAwareTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private int _timersCreated;

    public int TimersCreated => Volatile.Read(ref _timersCreated);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _timersCreated);
        return timer;
    }

    /// <summary>Waits (bounded) until at least <paramref name="count"/> timers have been started.</summary>
    public async Task WaitForTimersAsync(int count)
    {
        for (var i = 0; i < 500 && TimersCreated < count; i++)
        {
            await Task.Delay(10);
        }

        Assert.True(TimersCreated >= count, $"Expected {count} timers to be started, saw {TimersCreated}.");
    }
}
