namespace FunctionsApiKey.Policies;

/// <summary>
/// One partition's count of allowed requests in the current UTC calendar period of its quota, on this instance, plus,
/// when a usage store is registered, what the other instances allowed in the period as last read from it
/// (<see cref="ShareOthers"/>, once a minute). A short lock around a few numbers: no allocation, and the period rolls
/// over on the first request after it ends.
/// </summary>
internal sealed class QuotaCounter(ApiKeyQuota quota)
{
    private readonly Lock _lock = new();
    private long _periodEndTicks;
    private long _count;

    // What the other instances allowed in the period ending at _othersEndTicks, as the store last said.
    private long _othersEndTicks;
    private long _others;

    public ApiKeyQuota Quota { get; } = quota;

    /// <summary>Counts one request at <paramref name="now"/>, unless the period's count is used up.</summary>
    /// <param name="now">Now.</param>
    /// <param name="periodEnd">When refused, the period's end (UTC), when the count starts again.</param>
    public bool TryTake(DateTimeOffset now, out DateTimeOffset periodEnd)
    {
        lock (_lock)
        {
            if (now.UtcTicks >= _periodEndTicks)
            {
                _periodEndTicks = Quota.PeriodEnd(now).UtcTicks;
                _count = 0;
            }

            periodEnd = new DateTimeOffset(_periodEndTicks, TimeSpan.Zero);
            if (_count + (_othersEndTicks == _periodEndTicks ? _others : 0) >= Quota.Count)
            {
                return false;
            }

            _count++;
            return true;
        }
    }

    /// <summary>
    /// Notes that the other instances allowed <paramref name="others"/> requests in the period ending at
    /// <paramref name="periodEnd"/>; from then on this instance admits only while its own count plus theirs is below the
    /// quota. A figure for another period than the current one is ignored, so a read that straddles a rollover cannot
    /// carry the old period's count into the new one.
    /// </summary>
    public void ShareOthers(DateTimeOffset periodEnd, long others)
    {
        lock (_lock)
        {
            (_othersEndTicks, _others) = (periodEnd.UtcTicks, others);
        }
    }

    /// <summary>Gives back a request counted by <see cref="TryTake"/> that another limit then refused.</summary>
    public void Return()
    {
        lock (_lock)
        {
            if (_count > 0)
            {
                _count--;
            }
        }
    }

    /// <summary>Takes over another counter's count when it counts the same period, so a changed quota does not reset it.</summary>
    public void CarryOver(QuotaCounter previous)
    {
        lock (previous._lock)
        {
            if (previous.Quota.Period == Quota.Period)
            {
                (_periodEndTicks, _count, _othersEndTicks, _others) = (previous._periodEndTicks, previous._count, previous._othersEndTicks, previous._others);
            }
        }
    }
}
