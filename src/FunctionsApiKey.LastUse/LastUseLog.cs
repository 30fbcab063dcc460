using Microsoft.Extensions.Logging;

namespace FunctionsApiKey.LastUse;

/// <summary>
/// Log lines of the last-use table, in the category <see cref="ApiKeyDefaults.KeyRingLogCategory"/> beside the other
/// last-use events (16–18). A key's name only, never its value or hash.
/// </summary>
internal static partial class LastUseLog
{
    [LoggerMessage(EventId = 19, EventName = "LastUseKeyNotStorable", Level = LogLevel.Warning,
        Message = "The last use of API key {KeyName} is not recorded: as a table row key its name is {RowKeyLength} characters, over Table Storage's {MaxRowKeyLength}; give the key a shorter name")]
    public static partial void LastUseKeyNotStorable(this ILogger logger, string keyName, int rowKeyLength, int maxRowKeyLength);
}
