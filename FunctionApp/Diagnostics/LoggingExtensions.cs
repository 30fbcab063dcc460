using Microsoft.Extensions.Logging;

namespace FunctionApp.Diagnostics;

/// <summary>
/// Every log line of the API-key layer. Each names keys by their name only: no key, hash or header value is ever a
/// parameter here.
/// </summary>
/// <remarks>
/// Lines written on every request are Debug, like ASP.NET Core's authentication handlers: the worker ships each log
/// line to the host, and at Information they cost about a third of the throughput of a small function (see the
/// README's benchmarks). The <c>apikey.decisions</c> metric counts every call by key instead. A denial that names a
/// known key (revoked, expired, not yet valid, outside its scopes) tells an operator which caller to contact, so the
/// first per key per minute is Information; the rest are Debug (see <c>KeyDenialThrottle</c>).
/// </remarks>
internal static partial class LoggingExtensions
{
    [LoggerMessage(EventId = 1, EventName = "RequestAllowed", Level = LogLevel.Debug,
        Message = "API key {KeyName} allowed to call {FunctionName}")]
    public static partial void RequestAllowed(this ILogger logger, string keyName, string functionName);

    [LoggerMessage(EventId = 2, EventName = "RequestDenied", Level = LogLevel.Debug,
        Message = "Request to {FunctionName} denied: {Reason}")]
    public static partial void RequestDenied(this ILogger logger, string functionName, string reason);

    [LoggerMessage(EventId = 3, EventName = "RequestDeniedForKey", Level = LogLevel.Information,
        Message = "Request to {FunctionName} with API key {KeyName} denied: {Reason}; this is logged once a minute per key, and {UnloggedDenials} more denials of the key came since the last line")]
    public static partial void RequestDeniedForKey(this ILogger logger, string functionName, string keyName, string reason, int unloggedDenials);

    [LoggerMessage(EventId = 4, EventName = "RequestDeniedForKeyAgain", Level = LogLevel.Debug,
        Message = "Request to {FunctionName} with API key {KeyName} denied: {Reason}")]
    public static partial void RequestDeniedForKeyAgain(this ILogger logger, string functionName, string keyName, string reason);

    [LoggerMessage(EventId = 10, EventName = "KeyRingLoaded", Level = LogLevel.Information,
        Message = "Loaded {KeyCount} API keys from {Source} in {DurationMs:F0} ms")]
    public static partial void KeyRingLoaded(this ILogger logger, int keyCount, string source, double durationMs);

    [LoggerMessage(EventId = 11, EventName = "KeyRingRefreshFailed", Level = LogLevel.Warning,
        Message = "Loading API keys from {Source} failed ({Error}); keeping the key ring loaded {RingAgeSeconds:F0} s ago. Retrying in {RetryDelaySeconds:F0} s")]
    public static partial void KeyRingRefreshFailed(this ILogger logger, string source, string error, double ringAgeSeconds, double retryDelaySeconds);

    [LoggerMessage(EventId = 12, EventName = "KeyRingFirstLoadFailed", Level = LogLevel.Warning,
        Message = "Loading API keys from {Source} failed ({Error}); no key ring has loaded yet, so protected functions answer 503. Retrying in {RetryDelaySeconds:F0} s")]
    public static partial void KeyRingFirstLoadFailed(this ILogger logger, string source, string error, double retryDelaySeconds);

    [LoggerMessage(EventId = 13, EventName = "KeySkipped", Level = LogLevel.Warning,
        Message = "API key {KeyName} from {Source} skipped: {Reason}")]
    public static partial void KeySkipped(this ILogger logger, string keyName, string source, string reason);

    [LoggerMessage(EventId = 14, EventName = "SettingsKeysOutsideDevelopment", Level = LogLevel.Warning,
        Message = "API keys come from application settings in the {EnvironmentName} environment; set ApiKeys:KeyVaultUri to keep them in Azure Key Vault")]
    public static partial void SettingsKeysOutsideDevelopment(this ILogger logger, string environmentName);

    [LoggerMessage(EventId = 15, EventName = "NoKeysConfigured", Level = LogLevel.Warning,
        Message = "No API keys are configured ({Source}); every protected function answers 401")]
    public static partial void NoKeysConfigured(this ILogger logger, string source);

    [LoggerMessage(EventId = 16, EventName = "InvalidSettingsKey", Level = LogLevel.Warning,
        Message = "API key setting skipped: {Problem}")]
    public static partial void InvalidSettingsKey(this ILogger logger, string problem);

    [LoggerMessage(EventId = 17, EventName = "DuplicateKeyValue", Level = LogLevel.Warning,
        Message = "API keys {KeyNames} from {Source} have the same value, so none of them is accepted; give each caller its own key and remove or change the others")]
    public static partial void DuplicateKeyValue(this ILogger logger, string keyNames, string source);

    [LoggerMessage(EventId = 18, EventName = "UnknownScope", Level = LogLevel.Warning,
        Message = "API key {KeyName} from {Source} lists scope {Scope}, which no function of this app requires; check its spelling against the function names and [RequireScope] attributes")]
    public static partial void UnknownScope(this ILogger logger, string keyName, string source, string scope);
}
