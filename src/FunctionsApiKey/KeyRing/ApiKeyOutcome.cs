namespace FunctionsApiKey.KeyRing;

/// <summary>
/// Why a request was let through or not: the <c>outcome</c> tag on the gate's logs and metrics (lower-cased), never told
/// to the caller beyond the status.
/// </summary>
public enum ApiKeyOutcome
{
    /// <summary>The key is known, in force, and may call the function.</summary>
    Allowed,

    /// <summary>No key was presented.</summary>
    Missing,

    /// <summary>The presented value cannot be a key (or an issued key's checksum does not hold), so it was not looked up.</summary>
    Malformed,

    /// <summary>No key has the presented value.</summary>
    Unknown,

    /// <summary>The key is disabled in its store.</summary>
    Revoked,

    /// <summary>The key's expiry has passed.</summary>
    Expired,

    /// <summary>The key's validity has not begun.</summary>
    NotYetValid,

    /// <summary>The key is in force but its scopes do not include the function's.</summary>
    ScopeDenied,

    /// <summary>No key ring has loaded, so no key can be checked.</summary>
    KeysUnavailable,

    /// <summary>The key (or its owner) is over its rate limit (<see cref="ApiKeyPolicies.RateLimit"/>) on this instance.</summary>
    RateLimited,

    /// <summary>The key (or its owner) has used up its quota (<see cref="ApiKeyPolicies.Quota"/>) for the current period.</summary>
    QuotaExceeded,

    /// <summary>The caller's address is outside the key's networks (<see cref="ApiKeyPolicies.Ips"/>), or not known.</summary>
    AddressDenied,
}
