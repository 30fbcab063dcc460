using Microsoft.Extensions.Logging;

namespace FunctionsApiKey.Middleware;

/// <summary>
/// Log lines about requests, in the category <see cref="ApiKeyDefaults.GateLogCategory"/> with event ids 1–9. Keys
/// are named, never shown: no key, hash or header value is ever a parameter here.
/// </summary>
/// <remarks>
/// Lines written on every request are Debug, like ASP.NET Core's authentication handlers: the worker ships each log
/// line to the host, and at Information they cost about a third of the throughput of a small function (see the
/// benchmarks). The <c>apikey.decisions</c> metric counts every call by key instead. A denial that names a known key
/// (revoked, expired, not yet valid, outside its scopes) tells an operator which caller to contact, so the first per
/// key per minute is Information, written off the request path; the rest are Debug (see <see cref="KeyDenialLog"/>).
/// </remarks>
internal static partial class GateLog
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
}
