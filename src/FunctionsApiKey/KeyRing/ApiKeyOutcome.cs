namespace FunctionsApiKey.KeyRing;

/// <summary>Why a request was let through or not; a tag on logs and metrics, never told to the caller beyond the status.</summary>
internal enum ApiKeyOutcome
{
    Allowed,
    Missing,
    Malformed,
    Unknown,
    Revoked,
    Expired,
    NotYetValid,
    ScopeDenied,
    KeysUnavailable,
}
