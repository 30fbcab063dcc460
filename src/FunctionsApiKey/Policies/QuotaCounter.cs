namespace FunctionsApiKey.Policies;

/// <summary>
/// One partition's count of allowed requests in the current UTC calendar period of its quota, on this instance. A short
/// lock around two numbers: no allocation, and the period rolls over on the first request after it ends.
/// </summary>
internal sealed class QuotaCounter(ApiKeyQuota quota)
{
    private readonly Lock _lock = new();
    private long _periodEndTicks;
    private long _count;

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
            if (_count >= Quota.Count)
            {
                return false;
            }

            _count++;
            return true;
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
                (_periodEndTicks, _count) = (previous._periodEndTicks, previous._count);
            }
        }
    }
}
