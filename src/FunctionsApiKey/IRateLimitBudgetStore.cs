namespace FunctionsApiKey;

/// <summary>
/// A store shared by every instance of an app that hands out a partition's rate-limit budget in batches, so each
/// instance admits requests from budget it already holds and asks for the next batch off the request path, before it
/// runs out. A partition is one key (<c>key:&lt;name&gt;</c>) or one owner (<c>owner:&lt;owner&gt;</c>).
/// </summary>
/// <remarks>
/// Registered with <c>AddRateLimitBudgetStore&lt;TStore&gt;()</c> (the Redis package's <c>AddRedisRateLimits()</c> does
/// it). Takes run on a background loop a few times a second, never in a request. A take that throws or does not answer
/// within a second switches the instance to per-instance limits until a take succeeds again: see
/// docs/how-it-works.md, "Rate limits across instances".
/// </remarks>
public interface IRateLimitBudgetStore
{
    /// <summary>
    /// Whether the store is set up. When false, the gate counts limits on each instance and says so at startup, as it
    /// does with no store, so a package can register its store unconditionally and let configuration turn it on.
    /// </summary>
    bool IsEnabled => true;

    /// <summary>
    /// Takes up to <paramref name="wanted"/> requests of <paramref name="partition"/>'s budget under
    /// <paramref name="limit"/>, across all instances.
    /// </summary>
    /// <param name="partition">The partition, e.g. <c>owner:acme</c>.</param>
    /// <param name="limit">The partition's limit, the same on every instance that loaded the same keys.</param>
    /// <param name="wanted">How many requests the instance would like to hold, at least 1.</param>
    /// <param name="cancellationToken">The take took too long, or the instance is stopping.</param>
    /// <returns>How many were granted (0 when the budget is used up) and when more may be asked for.</returns>
    ValueTask<RateLimitGrant> TakeAsync(string partition, ApiKeyRateLimit limit, int wanted, CancellationToken cancellationToken);
}
