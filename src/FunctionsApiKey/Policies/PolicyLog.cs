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
        Message = "Rate limits and quotas of {PartitionCount} keys or owners are counted on each instance: no shared store is configured, so with several instances a key can make its limit once per instance")]
    public static partial void LimitsPerInstance(this ILogger logger, int partitionCount);
}
