namespace FunctionsApiKey;

/// <summary>
/// A store shared by every instance of an app that hands out a partition's rate-limit budget in batches, so each
/// instance admits requests from budget it already holds and asks for the next batch off the request path, before it
/// runs out. A partition is one key (<c>key:&lt;name&gt;</c>) or one owner (<c>owner:&lt;owner&gt;</c>).
/// </summary>
/// <remarks>
/// The contract the shared counter (issue 19, the Redis-protocol store) implements. This version of the gate does not
/// call it yet: each instance counts on its own, and says so at startup (event 62, <c>LimitsPerInstance</c>). The
/// instance's per-partition limiter is where a store plugs in: see docs/how-it-works.md, "Rate limits across instances".
/// </remarks>
public interface IRateLimitBudgetStore
{
    /// <summary>
    /// Takes up to <paramref name="wanted"/> requests of <paramref name="partition"/>'s budget under
    /// <paramref name="limit"/>, across all instances.
    /// </summary>
    /// <param name="partition">The partition, e.g. <c>owner:acme</c>.</param>
    /// <param name="limit">The partition's limit, the same on every instance that loaded the same keys.</param>
    /// <param name="wanted">How many requests the instance would like to hold, at least 1.</param>
    /// <param name="cancellationToken">The instance is stopping.</param>
    /// <returns>How many were granted (0 when the budget is used up) and when more may be asked for.</returns>
    ValueTask<RateLimitGrant> TakeAsync(string partition, ApiKeyRateLimit limit, int wanted, CancellationToken cancellationToken);
}
