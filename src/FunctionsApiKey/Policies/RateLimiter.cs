namespace FunctionsApiKey.Policies;

/// <summary>
/// One partition's rate limit on this instance, as the generic cell rate algorithm (a token bucket kept as one number):
/// the theoretical arrival time of the next request, moved forward by one emission interval per admitted request and
/// updated with a compare-and-swap, so admitting a request takes no lock and allocates nothing.
/// </summary>
internal sealed class RateLimiter
{
    // In UTC ticks. A request is admitted while the next arrival time is at most _tolerance ahead of now.
    private readonly long _interval;
    private readonly long _tolerance;
    private long _arrival;

    /// <param name="limit">The limit.</param>
    /// <param name="arrival">The arrival time carried over from the partition's previous limiter, so a changed limit does not start full.</param>
    public RateLimiter(ApiKeyRateLimit limit, long arrival = 0)
    {
        Limit = limit;

        // Rounded up, so rounding only ever narrows the limit; at least a tick, so a request always costs something.
        _interval = Math.Max(1, (limit.Period.Ticks + limit.Count - 1) / limit.Count);
        _tolerance = limit.Burst - 1 > (long.MaxValue / 4) / _interval ? long.MaxValue / 4 : _interval * (limit.Burst - 1);
        _arrival = arrival;
    }

    public ApiKeyRateLimit Limit { get; }

    /// <summary>The theoretical arrival time, to carry over into a limiter for a changed limit.</summary>
    public long Arrival => Volatile.Read(ref _arrival);

    /// <summary>Admits one request at <paramref name="nowTicks"/>, or says how long until one would be.</summary>
    /// <param name="nowTicks">Now, in UTC ticks.</param>
    /// <param name="waitTicks">When refused, the ticks until a request would be admitted.</param>
    public bool TryTake(long nowTicks, out long waitTicks)
    {
        while (true)
        {
            var arrival = Volatile.Read(ref _arrival);
            var start = Math.Max(arrival, nowTicks);
            if (start - nowTicks > _tolerance)
            {
                waitTicks = start - _tolerance - nowTicks;
                return false;
            }

            if (Interlocked.CompareExchange(ref _arrival, start + _interval, arrival) == arrival)
            {
                waitTicks = 0;
                return true;
            }
        }
    }

    /// <summary>Gives back a request admitted by <see cref="TryTake"/> that another limit then refused.</summary>
    public void Return() => Interlocked.Add(ref _arrival, -_interval);
}
