namespace FunctionsApiKey.KeyVault;

/// <summary>One <c>apikey-*</c> secret as a load of the vault left it: the key, and what the next load needs.</summary>
/// <param name="SecretName">The secret's name, as listed (names compare ignoring case).</param>
/// <param name="UpdatedOn">The secret's <c>updated</c> time when its value was read.</param>
/// <param name="Settled">The vault's clock had passed <paramref name="UpdatedOn"/> when the value was read, so any later change moves <c>updated</c>.</param>
/// <param name="Key">The key: its value's hash and the secret's current attributes.</param>
/// <param name="Excluded">The secret cannot be a key as it stands (e.g. a misspelt scopes tag); its hash is kept so fixing the tag needs no new read.</param>
public sealed record VaultEntry(string SecretName, DateTimeOffset? UpdatedOn, bool Settled, ApiKey Key, bool Excluded)
{
    /// <summary>The keys the app serves: every entry but the excluded ones.</summary>
    public static List<ApiKey> UsableKeys(IEnumerable<VaultEntry> entries) => [.. entries.Where(e => !e.Excluded).Select(e => e.Key)];

    /// <summary>The entries by secret name, as the next load takes what it already knows.</summary>
    public static Dictionary<string, VaultEntry> ByName(IEnumerable<VaultEntry> entries) => entries.ToDictionary(e => e.SecretName, StringComparer.OrdinalIgnoreCase);
}
