using Microsoft.Extensions.Logging;

namespace FunctionsApiKey.KeyVault;

/// <summary>
/// Log lines about keys in the vault, in the category <see cref="KeyVaultApiKeyDefaults.LogCategory"/> with event ids
/// 30–39. Keys are named, never shown.
/// </summary>
internal static partial class KeyVaultLog
{
    [LoggerMessage(EventId = 30, EventName = "KeySkipped", Level = LogLevel.Warning,
        Message = "API key {KeyName} from keyvault skipped: {Reason}")]
    public static partial void KeySkipped(this ILogger logger, string keyName, string reason);
}
