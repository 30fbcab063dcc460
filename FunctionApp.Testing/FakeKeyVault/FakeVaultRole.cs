namespace FunctionApp.Testing.FakeKeyVault;

/// <summary>
/// A Key Vault RBAC role as the fake vault enforces it: the data actions it grants, where a trailing <c>*</c> grants
/// everything under that prefix, as in Azure's role definitions. The built-in roles below carry the data actions Azure
/// defines for them; a test can also build a custom role, e.g. one that may only <see cref="SecretDataActions.SetSecret"/>.
/// </summary>
public sealed class FakeVaultRole(string name, IReadOnlyList<string> dataActions)
{
    /// <summary>Key Vault Administrator: every data action on the vault. The fake's default, so nothing is refused.</summary>
    public static FakeVaultRole Administrator { get; } = new("Key Vault Administrator", ["Microsoft.KeyVault/vaults/*"]);

    /// <summary>Key Vault Secrets Officer: everything on secrets (get, list, set, update, delete, …).</summary>
    public static FakeVaultRole SecretsOfficer { get; } = new("Key Vault Secrets Officer", ["Microsoft.KeyVault/vaults/secrets/*"]);

    /// <summary>Key Vault Secrets User: read values and list, nothing else.</summary>
    public static FakeVaultRole SecretsUser { get; } = new("Key Vault Secrets User", [SecretDataActions.GetSecret, SecretDataActions.ReadMetadata]);

    /// <summary>No role assignment on the vault: every request is refused.</summary>
    public static FakeVaultRole None { get; } = new("No role assignment", []);

    public string Name { get; } = name;

    public IReadOnlyList<string> DataActions { get; } = dataActions;

    /// <summary>Whether the role grants <paramref name="dataAction"/> (Azure compares action names case-insensitively).</summary>
    public bool Allows(string dataAction) => DataActions.Any(granted => granted.EndsWith('*')
        ? dataAction.StartsWith(granted[..^1], StringComparison.OrdinalIgnoreCase)
        : string.Equals(granted, dataAction, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => Name;
}
