namespace FunctionsApiKey.KeyRing;

/// <summary>
/// Decides on a presented key that <see cref="ApiKeyText"/> found well formed: pure logic with no I/O, no Functions
/// types and no allocation, so it can be tested and benchmarked on its own.
/// </summary>
internal static class ApiKeyValidator
{
    /// <summary>
    /// Looks the key up in <paramref name="ring"/> and checks its lifecycle at <paramref name="now"/> and its scopes
    /// against <paramref name="requiredScope"/>.
    /// </summary>
    public static ApiKeyDecision Decide(ReadOnlySpan<char> presentedKey, KeyRingSnapshot ring, string requiredScope, DateTimeOffset now)
    {
        var key = ring.Find(ApiKeyHash.Compute(presentedKey));
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
