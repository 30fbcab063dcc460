using FunctionsApiKey.KeyVault;
using FunctionsApiKey.LastUse;
using FunctionsApiKey.Tool.Cli;
using FunctionsApiKey.Tool.Stores;
using Microsoft.Extensions.Configuration;

namespace FunctionsApiKey.Tool.Commands;

/// <summary>
/// The app's settings as the tool sees them: the <c>Values</c> of local.settings.json (if there is one), overridden by
/// environment variables, so <c>ApiKeys__KeyVaultUri</c>, <c>ApiKeys__SecretPrefix</c>, <c>ApiKeys__KeyPrefix</c> and the
/// storage connection mean what they mean to the app.
/// </summary>
internal sealed class ToolSettings
{
    private static readonly string[] DefaultSettingsFiles = ["local.settings.json", Path.Combine("FunctionApp", "local.settings.json")];

    private ToolSettings(IConfiguration configuration, string? settingsFile)
    {
        Configuration = configuration;
        SettingsFile = settingsFile;
    }

    public IConfiguration Configuration { get; }

    /// <summary>The local.settings.json read, if any.</summary>
    public string? SettingsFile { get; }

    public string SecretPrefix => Configuration[$"{ApiKeyDefaults.SectionName}:{nameof(KeyVaultApiKeyOptions.SecretPrefix)}"] is { Length: > 0 } prefix ? prefix : new KeyVaultApiKeyOptions().SecretPrefix;

    public string KeyPrefix => Configuration[$"{ApiKeyDefaults.SectionName}:{nameof(ApiKeyOptions.KeyPrefix)}"] is { Length: > 0 } prefix ? prefix : ApiKeyFormat.DefaultPrefix;

    /// <summary>What the app makes of a vault key with no scopes tag (<c>ApiKeys__KeysWithoutScopes</c>), so the tool says the same.</summary>
    public KeysWithoutScopes KeysWithoutScopes
    {
        get
        {
            var setting = $"{ApiKeyDefaults.SectionName}:{nameof(KeyVaultApiKeyOptions.KeysWithoutScopes)}";
            var text = Configuration[setting];
            if (string.IsNullOrEmpty(text))
            {
                return KeysWithoutScopes.Refuse;
            }

            // What the app's binding and validation accept.
            return Enum.TryParse<KeysWithoutScopes>(text, ignoreCase: true, out var value) && Enum.IsDefined(value)
                ? value
                : throw new ToolException(ExitCodes.Usage, $"{setting} must be {nameof(KeysWithoutScopes.Refuse)} or {nameof(KeysWithoutScopes.EveryFunction)}; it is '{text}', which the app would refuse at startup too.");
        }
    }

    public Uri? VaultUri => Configuration[$"{ApiKeyDefaults.SectionName}:{nameof(KeyVaultApiKeyOptions.KeyVaultUri)}"] is { Length: > 0 } uri ? new Uri(uri) : null;

    /// <summary>
    /// Where the app keeps last use, bound from the <c>ApiKeys</c> section as <c>AddLastUseTable()</c> binds it; null when
    /// the settings set neither <c>ApiKeys__LastUseTable</c> nor <c>ApiKeys__LastUseConnection</c>. Whether an app keeps
    /// last use is its Program.cs's call, which the tool cannot see, so one of these settings is the sign. Without one,
    /// the tool says nothing about last use, rather than try the default connection (<c>UseDevelopmentStorage=true</c> in
    /// every new app's local.settings.json) and warn on every command.
    /// </summary>
    public LastUseOptions? LastUse
    {
        get
        {
            var section = Configuration.GetSection(ApiKeyDefaults.SectionName);
            if (string.IsNullOrEmpty(section[nameof(LastUseOptions.LastUseTable)]) && string.IsNullOrEmpty(section[nameof(LastUseOptions.LastUseConnection)]))
            {
                return null;
            }

            var options = new LastUseOptions();
            section.Bind(options);
            return options;
        }
    }

    /// <param name="settingsFile">An explicit local.settings.json, which must exist; otherwise the first of ./local.settings.json and ./FunctionApp/local.settings.json, if any.</param>
    public static ToolSettings Load(string? settingsFile)
    {
        if (settingsFile is not null && !File.Exists(settingsFile))
        {
            throw new ToolException(ExitCodes.SettingsFile, $"--settings: there is no file {settingsFile}.");
        }

        var file = settingsFile ?? DefaultSettingsFiles.FirstOrDefault(File.Exists);
        var values = file is null ? [] : ReadValues(file);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key.Replace("__", ":", StringComparison.Ordinal), v.Value)))
            .AddEnvironmentVariables()
            .Build();
        return new ToolSettings(configuration, file);
    }

    /// <summary>The <c>Values</c> of a local.settings.json, as the Functions host reads them; a file the tool could not write back exactly is refused.</summary>
    private static Dictionary<string, string?> ReadValues(string file) =>
        new(LocalSettingsFile.Read(file).Values, StringComparer.OrdinalIgnoreCase);
}
