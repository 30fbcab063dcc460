using Microsoft.Extensions.Logging;

namespace FunctionsApiKey.Policies;

/// <summary>
/// Log lines about the shared rate-limit store, in the category <see cref="ApiKeyDefaults.PolicyLogCategory"/> with
/// event ids 70–71. Neither names a key.
/// </summary>
internal static partial class RateLimitStoreLog
{
    [LoggerMessage(EventId = 70, EventName = "RateLimitStoreFailed", Level = LogLevel.Warning,
        Message = "The rate-limit store did not answer ({Error}); this instance counts rate limits on its own, so a key can make its limit once per instance, until the store answers again")]
    public static partial void RateLimitStoreFailed(this ILogger logger, string error);

    [LoggerMessage(EventId = 71, EventName = "RateLimitStoreRecovered", Level = LogLevel.Information,
        Message = "The rate-limit store answers again after {OutageSeconds} s; rate limits are shared across instances again")]
    public static partial void RateLimitStoreRecovered(this ILogger logger, long outageSeconds);
}
