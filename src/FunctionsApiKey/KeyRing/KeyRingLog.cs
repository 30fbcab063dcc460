using Microsoft.Extensions.Logging;

namespace FunctionsApiKey.KeyRing;

/// <summary>
/// Log lines about loading the key ring, in the category <see cref="ApiKeyDefaults.KeyRingLogCategory"/> with event ids
/// 10–15 (16–18 are <see cref="FunctionsApiKey.Usage.UsageLog"/>). Keys are named, never shown: no key, hash or header value is ever a parameter here.
/// </summary>
internal static partial class KeyRingLog
{
    [LoggerMessage(EventId = 10, EventName = "KeyRingLoaded", Level = LogLevel.Information,
        Message = "Loaded {KeyCount} API keys from {Source} in {DurationMs:F0} ms")]
    public static partial void KeyRingLoaded(this ILogger logger, int keyCount, string source, double durationMs);

    [LoggerMessage(EventId = 11, EventName = "KeyRingRefreshFailed", Level = LogLevel.Warning,
        Message = "Loading API keys from {Source} failed ({Error}); keeping the key ring loaded {RingAgeSeconds:F0} s ago. Retrying in {RetryDelaySeconds:F0} s")]
    public static partial void KeyRingRefreshFailed(this ILogger logger, string source, string error, double ringAgeSeconds, double retryDelaySeconds);

    [LoggerMessage(EventId = 12, EventName = "KeyRingFirstLoadFailed", Level = LogLevel.Warning,
        Message = "Loading API keys from {Source} failed ({Error}); no key ring has loaded yet, so protected functions answer 503. Retrying in {RetryDelaySeconds:F0} s")]
    public static partial void KeyRingFirstLoadFailed(this ILogger logger, string source, string error, double retryDelaySeconds);

    [LoggerMessage(EventId = 13, EventName = "DuplicateKeyValue", Level = LogLevel.Warning,
        Message = "API keys {KeyNames} from {Source} have the same value, so none of them is accepted; give each caller its own key and remove or change the others")]
    public static partial void DuplicateKeyValue(this ILogger logger, string keyNames, string source);

    [LoggerMessage(EventId = 14, EventName = "UnknownScope", Level = LogLevel.Warning,
        Message = "API key {KeyName} from {Source} lists scope {Scope}, which no function of this app requires; check its spelling against the function names and [RequireScope] attributes")]
    public static partial void UnknownScope(this ILogger logger, string keyName, string source, string scope);

    [LoggerMessage(EventId = 15, EventName = "NoKeysConfigured", Level = LogLevel.Warning,
        Message = "No API keys are configured ({Source}); every protected function answers 401")]
    public static partial void NoKeysConfigured(this ILogger logger, string source);
}
