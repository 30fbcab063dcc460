using System.Collections.Immutable;

namespace FunctionsApiKey;

/// <summary>
/// The API key that authenticated the current invocation, as a function sees it through
/// <see cref="FunctionContextApiKeyExtensions.GetApiKeyIdentity"/>: safe to log, holds no key material.
/// </summary>
public sealed class ApiKeyIdentity
{
    internal ApiKeyIdentity(string name, ImmutableArray<string> scopes, string? owner)
    {
        Name = name;
        Scopes = scopes;
        Owner = owner;
    }

    /// <summary>The key's name, e.g. the Key Vault secret name without its prefix.</summary>
    public string Name { get; }

    /// <summary>The scopes granted to the key; empty means every protected function.</summary>
    public ImmutableArray<string> Scopes { get; }

    /// <summary>
    /// Who the key belongs to (its <see cref="ApiKeyPolicies.Owner"/> property), e.g. to bill or log per customer rather
    /// than per key; null when the key names no owner.
    /// </summary>
    public string? Owner { get; }

    /// <summary>The key's name, so an identity printed by accident shows nothing more.</summary>
    public override string ToString() => Name;
}
