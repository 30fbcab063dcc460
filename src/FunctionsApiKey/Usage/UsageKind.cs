namespace FunctionsApiKey.Usage;

/// <summary>What became of a request that presented a known key, as usage counts it.</summary>
internal enum UsageKind
{
    Allowed,
    Denied,
    OverLimit,
}
