using System.Collections.Immutable;

namespace FunctionsApiKey;

/// <summary>
/// The API key that authenticated the current invocation, as a function sees it through
/// <see cref="FunctionContextApiKeyExtensions.GetApiKeyIdentity"/>: safe to log, holds no key material.
/// </summary>
public sealed class ApiKeyIdentity
{
    internal ApiKeyIdentity(string name, ImmutableArray<string> scopes)
    {
        Name = name;
        Scopes = scopes;
    }

    /// <summary>The key's name, e.g. the Key Vault secret name without its prefix.</summary>
    public string Name { get; }

    /// <summary>The scopes granted to the key; empty means every protected function.</summary>
    public ImmutableArray<string> Scopes { get; }

    /// <summary>The key's name, so an identity printed by accident shows nothing more.</summary>
    public override string ToString() => Name;
}
