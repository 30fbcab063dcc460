namespace FunctionApp.Testing.FakeKeyVault;

/// <summary>
/// The RBAC data actions Key Vault checks for the secret operations the fake vault serves, as Azure's permission list
/// for Microsoft.KeyVault names them; a <see cref="FakeVaultRole"/> grants them.
/// </summary>
public static class SecretDataActions
{
    /// <summary>Reading a secret's value: <c>GET /secrets/{name}[/{version}]</c>.</summary>
    public const string GetSecret = "Microsoft.KeyVault/vaults/secrets/getSecret/action";

    /// <summary>Listing secrets or a secret's versions, without values: <c>GET /secrets</c>, <c>GET /secrets/{name}/versions</c>.</summary>
    public const string ReadMetadata = "Microsoft.KeyVault/vaults/secrets/readMetadata/action";

    /// <summary>Creating a secret or a new version of it: <c>PUT /secrets/{name}</c>.</summary>
    public const string SetSecret = "Microsoft.KeyVault/vaults/secrets/setSecret/action";

    /// <summary>Changing a version's attributes, content type or tags: <c>PATCH /secrets/{name}/{version}</c>.</summary>
    public const string Update = "Microsoft.KeyVault/vaults/secrets/update/action";
}
