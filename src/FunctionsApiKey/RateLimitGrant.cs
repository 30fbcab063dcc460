namespace FunctionsApiKey;

/// <summary>What an <see cref="IRateLimitBudgetStore"/> handed out.</summary>
/// <param name="Granted">Requests the instance may admit, 0 when the partition's budget is used up.</param>
/// <param name="RetryAt">When the store will have more budget, for the caller's <c>Retry-After</c> when nothing was granted.</param>
public readonly record struct RateLimitGrant(int Granted, DateTimeOffset RetryAt);
