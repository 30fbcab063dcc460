using Microsoft.Extensions.Logging;

namespace FunctionsApiKey.Usage;

/// <summary>
/// Log lines about writing last use, in the key ring's category (<see cref="ApiKeyDefaults.KeyRingLogCategory"/>) with
/// event ids 16–18, which operators already filter on. Keys are counted, never named or shown.
/// </summary>
internal static partial class UsageLog
{
    [LoggerMessage(EventId = 16, EventName = "LastUseWriteFailed", Level = LogLevel.Warning,
        Message = "Writing the last use of {KeyCount} API keys failed ({Error}); they are kept and written with the next round")]
    public static partial void LastUseWriteFailed(this ILogger logger, int keyCount, string error);

    [LoggerMessage(EventId = 17, EventName = "LastUseWriteFailedAgain", Level = LogLevel.Debug,
        Message = "Writing the last use of {KeyCount} API keys failed again ({Error})")]
    public static partial void LastUseWriteFailedAgain(this ILogger logger, int keyCount, string error);

    [LoggerMessage(EventId = 18, EventName = "LastUseWritten", Level = LogLevel.Debug,
        Message = "Wrote the last use of {KeyCount} API keys in {DurationMs:F0} ms")]
    public static partial void LastUseWritten(this ILogger logger, int keyCount, double durationMs);

    [LoggerMessage(EventId = 22, EventName = "UsageWriteFailed", Level = LogLevel.Warning,
        Message = "Writing the request counts of {CountRows} key-hours, or reading the other instances' counts for quotas, failed ({Error}); the counts are kept and written with the next round, and quotas count this instance's requests and the last figures read")]
    public static partial void UsageWriteFailed(this ILogger logger, int countRows, string error);

    [LoggerMessage(EventId = 23, EventName = "UsageWriteFailedAgain", Level = LogLevel.Debug,
        Message = "Writing or reading request counts failed again ({CountRows} key-hours waiting; {Error})")]
    public static partial void UsageWriteFailedAgain(this ILogger logger, int countRows, string error);

    [LoggerMessage(EventId = 24, EventName = "UsageWritten", Level = LogLevel.Debug,
        Message = "Wrote the request counts of {CountRows} key-hours and read the quotas' shared counts in {DurationMs:F0} ms")]
    public static partial void UsageWritten(this ILogger logger, int countRows, double durationMs);
}
