using System.CommandLine;

namespace FunctionsApiKey.Tool.Cli;

/// <summary>The options every command takes: where the keys are and how to sign in.</summary>
internal sealed class GlobalOptions
{
    public const string DefaultCredential = "default";

    public Option<string?> Vault { get; } = new("--vault")
    {
        Description = "The vault, e.g. https://myvault.vault.azure.net/ (default: ApiKeys__KeyVaultUri from the environment or local.settings.json)",
        Recursive = true,
    };

    public Option<string> Credential { get; } = new("--credential")
    {
        Description = "How to sign in: default (DefaultAzureCredential: az login, azd, environment, managed identity), azurecli, azd, environment, managedidentity, interactive",
        DefaultValueFactory = _ => DefaultCredential,
        Recursive = true,
    };

    public Option<bool> Local { get; } = new("--local")
    {
        Description = "Work on local.settings.json instead of a vault, for development",
        Recursive = true,
    };

    public Option<string?> Settings { get; } = new("--settings")
    {
        Description = "The local.settings.json to read (default: ./local.settings.json, else ./FunctionApp/local.settings.json)",
        Recursive = true,
    };

    public Option<string?> KeyPrefix { get; } = new("--key-prefix")
    {
        Description = "The prefix of new keys (default: ApiKeys__KeyPrefix, else fnak)",
        Recursive = true,
    };

    public GlobalOptions() =>
        Credential.AcceptOnlyFromAmong(DefaultCredential, "azurecli", "azd", "environment", "managedidentity", "interactive");

    public IEnumerable<Option> All => [Vault, Credential, Local, Settings, KeyPrefix];
}
