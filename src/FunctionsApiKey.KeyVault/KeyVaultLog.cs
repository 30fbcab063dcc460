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

    [LoggerMessage(EventId = 31, EventName = "KeyWithoutScopesSkipped", Level = LogLevel.Warning,
        Message = "API key {KeyName} from keyvault skipped: it has no scopes tag; tag the secret {SecretName} scopes=* to allow every function, or scopes=<names> to limit it")]
    public static partial void KeyWithoutScopesSkipped(this ILogger logger, string keyName, string secretName);

    [LoggerMessage(EventId = 32, EventName = "KeyWithoutScopesAllowed", Level = LogLevel.Warning,
        Message = "API key {KeyName} from keyvault has no scopes tag and may call every function only because ApiKeys:KeysWithoutScopes is EveryFunction; tag the secret {SecretName} scopes=* to keep that, or scopes=<names> to limit it, before removing the setting")]
    public static partial void KeyWithoutScopesAllowed(this ILogger logger, string keyName, string secretName);
}
