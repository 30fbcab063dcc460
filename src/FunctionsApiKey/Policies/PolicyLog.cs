using Microsoft.Extensions.Logging;

namespace FunctionsApiKey.Policies;

/// <summary>
/// Log lines about keys' policies, in the category <see cref="ApiKeyDefaults.PolicyLogCategory"/> with event ids 60–69.
/// Keys and owners are named, never shown: no key, hash or header value is ever a parameter here.
/// </summary>
internal static partial class PolicyLog
{
    [LoggerMessage(EventId = 60, EventName = "PolicyNotReadable", Level = LogLevel.Warning,
        Message = "API key {KeyName} from {Source} is left out: its {Property} {Problem}")]
    public static partial void PolicyNotReadable(this ILogger logger, string keyName, string source, string property, string problem);

    [LoggerMessage(EventId = 61, EventName = "OwnerLimitsDiffer", Level = LogLevel.Warning,
        Message = "API keys {KeyNames} of owner {Owner} declare different {Property} values; the owner's keys share the narrowest, {Effective}. Give them one value")]
    public static partial void OwnerLimitsDiffer(this ILogger logger, string keyNames, string owner, string property, string effective);

    [LoggerMessage(EventId = 62, EventName = "LimitsPerInstance", Level = LogLevel.Warning,
        Message = "{RateLimitCount} rate limits and {QuotaCount} quotas of keys or owners are counted on each instance, with no store to share them (rate limits: AddRedisRateLimits; quotas: AddLastUseTable), so with several instances a key can make each of them once per instance")]
    public static partial void LimitsPerInstance(this ILogger logger, int rateLimitCount, int quotaCount);
}
