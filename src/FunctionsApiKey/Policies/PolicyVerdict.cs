namespace FunctionsApiKey.Policies;

/// <summary>
/// What a key's policies said of one request: allowed, or the outcome and what a 429 tells the caller (the limit in the
/// terms of the RateLimit-Policy header, and when to retry).
/// </summary>
/// <param name="Refusal">None, or which policy refused the request.</param>
/// <param name="PolicyName">The refusing policy's name in the RateLimit headers: <c>rate</c> or <c>quota</c>.</param>
/// <param name="Quota">The policy's quota, <c>q</c>: requests per window.</param>
/// <param name="WindowSeconds">The policy's window, <c>w</c>, in seconds.</param>
/// <param name="Burst">The rate limit's burst when it differs from its count; 0 otherwise.</param>
/// <param name="RetryAfterSeconds">Whole seconds until a request would be allowed, at least 1.</param>
internal readonly record struct PolicyVerdict(
    PolicyRefusal Refusal,
    string? PolicyName = null,
    long Quota = 0,
    long WindowSeconds = 0,
    long Burst = 0,
    long RetryAfterSeconds = 0)
{
    public static PolicyVerdict Allowed => default;

    public bool IsAllowed => Refusal == PolicyRefusal.None;

    /// <summary>Whole seconds, rounded up and at least one: a caller told 0 would retry at once.</summary>
    public static long Seconds(long ticks) => Math.Max(1, (ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond);
}
