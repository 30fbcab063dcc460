using FunctionsApiKey.KeyVault;

namespace FunctionsApiKey.SharedRing;

/// <summary>
/// What a ring is for: the secrets under <paramref name="SecretPrefix"/> in the vault <paramref name="Vault"/>. The
/// publisher signs it into every ring and an instance takes only a ring of its own scope, so two apps that share a
/// vault (with different prefixes) or a signing key cannot serve each other's keys by copying a blob.
/// </summary>
/// <param name="Vault">The vault's host name (and port, if not 443), in lower case: <c>myvault.vault.azure.net</c>.</param>
/// <param name="SecretPrefix">The prefix of the app's key secrets, <c>ApiKeys:SecretPrefix</c>.</param>
internal sealed record RingScope(string Vault, string SecretPrefix)
{
    /// <summary>The scope of the app's vault settings.</summary>
    public static RingScope Of(KeyVaultApiKeyOptions options) =>
        new((options.KeyVaultUri ?? throw new InvalidOperationException("ApiKeys:KeyVaultUri is not set.")).Authority.ToLowerInvariant(), options.SecretPrefix);

    /// <summary>Whether <paramref name="other"/> names the same secrets: Key Vault compares secret names ignoring case.</summary>
    public bool Covers(RingScope other) =>
        string.Equals(Vault, other.Vault, StringComparison.OrdinalIgnoreCase) && string.Equals(SecretPrefix, other.SecretPrefix, StringComparison.OrdinalIgnoreCase);
}
