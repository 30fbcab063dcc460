using System.CommandLine;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using FunctionsApiKey.KeyVault;
using FunctionsApiKey.LastUse;
using FunctionsApiKey.SharedRing;
using FunctionsApiKey.Tool.Cli;
using FunctionsApiKey.Tool.Stores;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace FunctionsApiKey.Tool.Commands;

/// <summary>One invocation's view of the world: the streams, the app's settings, and the key store the options name.</summary>
internal sealed class ToolContext
{
    private readonly GlobalOptions _options;
    private readonly ParseResult _parse;
    private TokenCredential? _credential;
    private (SecretClient Client, KeyVaultApiKeyOptions Options)? _vault;

    public ToolContext(ToolConsole console, GlobalOptions options, ParseResult parse)
    {
        Console = console;
        _options = options;
        _parse = parse;
        Settings = ToolSettings.Load(parse.GetValue(options.Settings));
        IsLocal = parse.GetValue(options.Local);
        KeyPrefix = parse.GetValue(options.KeyPrefix) ?? Settings.KeyPrefix;
        if (!ApiKeyFormat.IsValidPrefix(KeyPrefix))
        {
            throw new ToolException(ExitCodes.Usage, $"The key prefix '{KeyPrefix}' is not valid: use 1 to {ApiKeyFormat.MaxPrefixLength} ASCII letters and digits.");
        }

        Store = IsLocal ? LocalStore() : VaultStore();
    }

    public ToolConsole Console { get; }

    public ToolSettings Settings { get; }

    public bool IsLocal { get; }

    public string KeyPrefix { get; }

    public IKeyStore Store { get; }

    public DateTimeOffset Now { get; } = TimeProvider.System.GetUtcNow();

    /// <summary>Standard error as a Spectre console, for progress and styled messages.</summary>
    public IAnsiConsole Messages => AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    /// <summary>
    /// Standard output as a Spectre console; when redirected, wide so tables do not wrap in files, and plain: Spectre
    /// cannot tell that the tool's own writer (<see cref="StandardOutput"/>) is redirected, and would colour files.
    /// </summary>
    public IAnsiConsole Results
    {
        get
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(Console.Out),
                Ansi = Console.OutRedirected ? AnsiSupport.No : AnsiSupport.Detect,
                ColorSystem = Console.OutRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            });
            if (Console.OutRedirected)
            {
                console.Profile.Width = 240;
            }

            return console;
        }
    }

    public string SecretPrefix => Settings.SecretPrefix;

    /// <summary>
    /// The key properties the packages declare, which the tool checks as the app does. A property an app declares
    /// itself (<c>AddKeyProperty</c>) is unknown here: the tool stores and shows it as written, and carries it over.
    /// </summary>
    public static IReadOnlyList<ApiKeyProperty> Declared => ApiKeyPolicies.All;

    public void Note(string message) => Console.Error.WriteLine(message);

    /// <summary>
    /// The app's last-use table, or null with the reason when the settings cannot reach one: checked by the app's own
    /// validator, and its storage connection read as the app reads it.
    /// </summary>
    public (LastUseTable? Table, string? Problem) LastUseTable(LastUseOptions lastUse)
    {
        var (service, problem) = TableService(lastUse);
        return (service is null ? null : new LastUse.LastUseTable(service.GetTableClient(lastUse.LastUseTable)), problem);
    }

    /// <summary>The app's table of request counts, beside its last-use table, or null with the reason, as above.</summary>
    public (UsageTable? Table, string? Problem) UsageTable(LastUseOptions lastUse)
    {
        var (service, problem) = TableService(lastUse);
        return (service is null ? null : new UsageTable(service.GetTableClient(lastUse.UsageTable)), problem);
    }

    private (TableServiceClient? Service, string? Problem) TableService(LastUseOptions lastUse)
    {
        if (new LastUseOptionsValidator().Validate(null, lastUse) is { Failed: true } invalid)
        {
            return (null, invalid.FailureMessage);
        }

        var connection = Settings.Configuration.GetSection(lastUse.LastUseConnection);
        if (!StorageConnection.IsConfigured(connection, "table"))
        {
            return (null, StorageConnection.NotConfigured(connection, "table", "ApiKeys:LastUseConnection"));
        }

        var options = new TableClientOptions { RetryPolicy = new BoundedRetryPolicy(maxRetries: 1, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(4)) };
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        return (StorageConnection.CreateClient(connection, "table", "ApiKeys:LastUseConnection", text => new TableServiceClient(text, options), uri => new TableServiceClient(uri, Credential(), options)), null);
    }

    /// <summary>
    /// The app's shared-ring publisher, when its settings name the shared ring and the keys are in its vault; null
    /// otherwise. Its settings are checked as the app checks them (<see cref="Microsoft.Extensions.Options.OptionsValidationException"/>).
    /// </summary>
    public SharedRingPublisher? RingPublisher(ILogger logger) =>
        _vault is { } vault && SharedRingPublisher.IsNamedIn(Settings.Configuration)
            ? SharedRingPublisher.Create(Settings.Configuration, vault.Client, vault.Options, Credential(), Declared, logger)
            : null;

    private LocalSettingsKeyStore LocalStore() =>
        new LocalSettingsKeyStore(
            Settings.SettingsFile ?? throw new ToolException(ExitCodes.SettingsFile,
                "--local: there is no local.settings.json here or in ./FunctionApp: run in your app's folder (in this repository, its root, once FunctionApp/local.settings.json is copied from local.settings.sample.json), or pass --settings PATH."),
            Declared);

    private VaultKeyStore VaultStore()
    {
        var text = _parse.GetValue(_options.Vault);
        Uri? vault;
        try
        {
            vault = text is not null ? new Uri(text) : Settings.VaultUri;
        }
        catch (UriFormatException)
        {
            throw new ToolException(ExitCodes.Usage, $"--vault '{text}' is not a URI; write it as https://<name>.vault.azure.net/.");
        }

        if (vault is null)
        {
            throw new ToolException(ExitCodes.Usage, "No vault: pass --vault https://<name>.vault.azure.net/, or set ApiKeys__KeyVaultUri (in the environment or local.settings.json); or use --local for local.settings.json.");
        }

        // The app's own rules for the vault settings, so the tool refuses what the app would refuse.
        var settings = new KeyVaultApiKeyOptions { KeyVaultUri = vault, SecretPrefix = Settings.SecretPrefix, KeysWithoutScopes = Settings.KeysWithoutScopes };
        if (new KeyVaultApiKeyOptionsValidator().Validate(null, settings) is { Failed: true } invalid)
        {
            throw new ToolException(ExitCodes.Usage, invalid.FailureMessage);
        }

        var options = new SecretClientOptions { RetryPolicy = new BoundedRetryPolicy(maxRetries: 2, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(4)) };
        var client = new SecretClient(vault, Credential(), options);
        _vault = (client, settings);
        return new VaultKeyStore(client, Settings.SecretPrefix, Settings.KeysWithoutScopes, Declared);
    }

    private TokenCredential Credential() => _credential ??= _parse.GetValue(_options.Credential) switch
    {
        "azurecli" => new AzureCliCredential(),
        "azd" => new AzureDeveloperCliCredential(),
        "environment" => new EnvironmentCredential(),
        "managedidentity" => new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned),
        "interactive" => new InteractiveBrowserCredential(),
        _ => new DefaultAzureCredential(),
    };
}
