namespace FunctionsApiKey.KeyRing;

/// <summary>Stable, lower-case names of outcomes for logs and metric tags (no per-call enum formatting).</summary>
internal static class OutcomeNames
{
    public static string Of(ApiKeyOutcome outcome) => outcome switch
    {
        ApiKeyOutcome.Allowed => "allowed",
        ApiKeyOutcome.Missing => "missing",
        ApiKeyOutcome.Malformed => "malformed",
        ApiKeyOutcome.Unknown => "unknown",
        ApiKeyOutcome.Revoked => "revoked",
        ApiKeyOutcome.Expired => "expired",
        ApiKeyOutcome.NotYetValid => "not_yet_valid",
        ApiKeyOutcome.ScopeDenied => "scope_denied",
        ApiKeyOutcome.KeysUnavailable => "keys_unavailable",
        ApiKeyOutcome.RateLimited => "rate_limited",
        ApiKeyOutcome.QuotaExceeded => "quota_exceeded",
        ApiKeyOutcome.AddressDenied => "address_denied",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };
}
