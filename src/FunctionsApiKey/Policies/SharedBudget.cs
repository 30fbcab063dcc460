namespace FunctionsApiKey.Policies;

/// <summary>
/// The part of one partition's rate limit this instance holds, taken in batches from the app's
/// <see cref="IRateLimitBudgetStore"/> by <see cref="RateLimitBudgetRefiller"/>. A request only takes one from the count
/// held, with a compare-and-swap: no lock, no allocation, no network. While the store is failing, the partition's own
/// per-instance <see cref="RateLimiter"/> counts instead.
/// </summary>
internal sealed class SharedBudget(ApiKeyRateLimit limit, SharedRateLimits owner)
{
    private long _held;
    private long _refused;
    private long _retryAtTicks;

    public ApiKeyRateLimit Limit { get; } = limit;

    /// <summary>False while the store is failing: the partition counts on this instance alone.</summary>
    public bool IsShared => owner.StoreAnswers;

    /// <summary>Requests this instance may still admit.</summary>
    public long Held => Volatile.Read(ref _held);

    /// <summary>Admits one request from the budget held, or says how long until the store has more.</summary>
    /// <param name="nowTicks">Now, in UTC ticks.</param>
    /// <param name="waitTicks">When refused, the ticks until the store said it would grant again (a second when it has not said).</param>
    public bool TryTake(long nowTicks, out long waitTicks)
    {
        while (true)
        {
            var held = Volatile.Read(ref _held);
            if (held <= 0)
            {
                // Counted, so the next refill asks for what was wanted, not only what was admitted.
                Interlocked.Increment(ref _refused);
                waitTicks = Math.Max(Volatile.Read(ref _retryAtTicks) - nowTicks, TimeSpan.TicksPerSecond);
                return false;
            }

            if (Interlocked.CompareExchange(ref _held, held - 1, held) == held)
            {
                waitTicks = 0;
                return true;
            }
        }
    }

    /// <summary>Gives back a request admitted by <see cref="TryTake"/> that a quota then refused.</summary>
    public void Return() => Interlocked.Increment(ref _held);

    /// <summary>Adds a grant from the store; the refiller is the only caller.</summary>
    internal void Add(RateLimitGrant grant)
    {
        Interlocked.Add(ref _held, grant.Granted);
        if (grant.Granted == 0)
        {
            Volatile.Write(ref _retryAtTicks, grant.RetryAt.UtcTicks);
        }
    }

    /// <summary>Lowers the budget held to at most <paramref name="keep"/>, so budget an idle instance holds does not pile up.</summary>
    internal void Trim(long keep)
    {
        while (true)
        {
            var held = Volatile.Read(ref _held);
            if (held <= keep || Interlocked.CompareExchange(ref _held, keep, held) == held)
            {
                return;
            }
        }
    }

    /// <summary>Requests refused for want of budget since the last call.</summary>
    internal long TakeRefused() => Interlocked.Exchange(ref _refused, 0);
}
