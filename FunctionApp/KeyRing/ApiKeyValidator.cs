namespace FunctionApp.KeyRing;

/// <summary>
/// Decides on a presented key: pure logic with no I/O, no Functions types and no allocation, so it can be tested
/// and benchmarked on its own.
/// </summary>
internal static class ApiKeyValidator
{
    /// <summary>
    /// Checks the form of a presented header value before any key is looked up.
    /// </summary>
    /// <param name="value">The header value, or null when the header is absent.</param>
    /// <param name="valueCount">How many values the header had; more than one is malformed.</param>
    /// <param name="maxLength">The longest key accepted.</param>
    /// <param name="rejection"><see cref="ApiKeyOutcome.Missing"/> or <see cref="ApiKeyOutcome.Malformed"/> when the value is refused.</param>
    public static bool IsWellFormed(string? value, int valueCount, int maxLength, out ApiKeyOutcome rejection)
    {
        rejection = valueCount > 1 ? ApiKeyOutcome.Malformed
            : string.IsNullOrEmpty(value) ? ApiKeyOutcome.Missing
            : ApiKeyFormat.IsValid(value, maxLength) ? ApiKeyOutcome.Allowed
            : ApiKeyOutcome.Malformed;
        return rejection == ApiKeyOutcome.Allowed;
    }

    /// <summary>
    /// Looks a well-formed key up in <paramref name="ring"/> and checks its lifecycle at <paramref name="now"/> and its
    /// scopes against <paramref name="requiredScope"/>.
    /// </summary>
    public static ApiKeyDecision Decide(ReadOnlySpan<char> presentedKey, KeyRingSnapshot ring, string requiredScope, DateTimeOffset now)
    {
        if (!ApiKeyHash.TryCompute(presentedKey, out var hash))
        {
            return new(ApiKeyOutcome.Malformed);
        }

        var key = ring.Find(hash);
        if (key is null)
        {
            return new(ApiKeyOutcome.Unknown);
        }

        if (key.IsRevoked)
        {
            return new(ApiKeyOutcome.Revoked, key);
        }

        if (key.NotBefore is { } notBefore && now < notBefore)
        {
            return new(ApiKeyOutcome.NotYetValid, key);
        }

        if (key.ExpiresOn is { } expiresOn && now >= expiresOn)
        {
            return new(ApiKeyOutcome.Expired, key);
        }

        return key.AllowsScope(requiredScope) ? new(ApiKeyOutcome.Allowed, key) : new(ApiKeyOutcome.ScopeDenied, key);
    }
}
