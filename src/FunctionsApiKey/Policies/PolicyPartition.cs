namespace FunctionsApiKey.Policies;

/// <summary>
/// The counts that one key, or every key of one owner, draws from: a rate limiter and a quota counter per period, each
/// optional. Kept across key-ring refreshes while its limits stay the same, so a refresh never refills a bucket.
/// </summary>
internal sealed class PolicyPartition(string name, RateLimiter? rateLimiter, QuotaCounter[] quotas)
{
    /// <summary><c>key:&lt;name&gt;</c> or <c>owner:&lt;owner&gt;</c> (lower case), for logs and the partition table.</summary>
    public string Name { get; } = name;

    public RateLimiter? RateLimiter { get; } = rateLimiter;

    /// <summary>The rate limit's budget shared with other instances through a store; null without one.</summary>
    public SharedBudget? Budget { get; init; }

    public QuotaCounter[] Quotas { get; } = quotas;

    public bool HasLimits => RateLimiter is not null || Quotas.Length > 0;

    /// <summary>Whether this partition enforces exactly <paramref name="rate"/> and <paramref name="quotas"/>.</summary>
    public bool Enforces(ApiKeyRateLimit? rate, IReadOnlyList<ApiKeyQuota> quotas) =>
        Equals(RateLimiter?.Limit, rate) && Quotas.Select(q => q.Quota).SequenceEqual(quotas);

    /// <summary>
    /// Counts one request against every limit, in order: the rate limit, then each quota. A refusal gives back what the
    /// limits before it took, so a refused request uses up nothing.
    /// </summary>
    public PolicyVerdict Admit(DateTimeOffset now)
    {
        var nowTicks = now.UtcTicks;
        // With a store, from the budget this instance holds; while the store is failing, as if there were none.
        var shared = Budget is { IsShared: true } budget ? budget : null;
        if (RateLimiter is { } limiter && !(shared?.TryTake(nowTicks, out var waitTicks) ?? limiter.TryTake(nowTicks, out waitTicks)))
        {
            var limit = limiter.Limit;
            return new PolicyVerdict(
                PolicyRefusal.RateLimited, "rate", limit.Count, (long)limit.Period.TotalSeconds, limit.Burst == limit.Count ? 0 : limit.Burst,
                PolicyVerdict.Seconds(waitTicks));
        }

        for (var i = 0; i < Quotas.Length; i++)
        {
            var counter = Quotas[i];
            if (!counter.TryTake(now, out var periodEnd))
            {
                for (var j = 0; j < i; j++)
                {
                    Quotas[j].Return();
                }

                if (shared is not null)
                {
                    shared.Return();
                }
                else
                {
                    RateLimiter?.Return();
                }

                var quota = counter.Quota;
                var window = (long)(periodEnd - quota.PeriodStart(periodEnd.AddTicks(-1))).TotalSeconds;
                return new PolicyVerdict(PolicyRefusal.QuotaExceeded, "quota", quota.Count, window, 0, PolicyVerdict.Seconds(periodEnd.UtcTicks - nowTicks));
            }
        }

        return PolicyVerdict.Allowed;
    }
}
