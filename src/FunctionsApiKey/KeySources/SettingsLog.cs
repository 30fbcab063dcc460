using Microsoft.Extensions.Logging;

namespace FunctionsApiKey.KeySources;

/// <summary>
/// Log lines about keys in application settings, in the category <see cref="ApiKeyDefaults.SettingsLogCategory"/> with
/// event ids 20–29. Settings are named, never their values.
/// </summary>
internal static partial class SettingsLog
{
    [LoggerMessage(EventId = 20, EventName = "SettingsKeysOutsideDevelopment", Level = LogLevel.Warning,
        Message = "API keys come from application settings in the {EnvironmentName} environment; set ApiKeys:KeyVaultUri to keep them in Azure Key Vault")]
    public static partial void SettingsKeysOutsideDevelopment(this ILogger logger, string environmentName);

    [LoggerMessage(EventId = 21, EventName = "InvalidSettingsKey", Level = LogLevel.Warning,
        Message = "API key setting skipped: {Problem}")]
    public static partial void InvalidSettingsKey(this ILogger logger, string problem);
}
