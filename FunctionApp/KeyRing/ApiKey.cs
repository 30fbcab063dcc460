using System.Collections.Immutable;

namespace FunctionApp.KeyRing;

/// <summary>
/// One API key as a key source loaded it: a name that is safe to log, the hash of its value, what it may call
/// and when it is valid. Immutable; a refresh builds new instances.
/// </summary>
internal sealed record ApiKey
{
    public required string Name { get; init; }

    public required ApiKeyHash Hash { get; init; }

    /// <summary>Scopes the key may call; empty means every protected function.</summary>
    public ImmutableArray<string> Scopes { get; init; } = [];

    public DateTimeOffset? NotBefore { get; init; }

    public DateTimeOffset? ExpiresOn { get; init; }

    /// <summary>Disabled at the source (e.g. a disabled Key Vault secret) but still recognised, so denials can name it.</summary>
    public bool IsRevoked { get; init; }

    /// <summary>What the invoked function gets to see: the name and scopes, never the hash.</summary>
    public ApiKeyIdentity Identity => field ??= new ApiKeyIdentity(Name, Scopes);

    /// <summary>Names the key without its hash, so printing a key (in a log, a debugger, a test failure) shows no key material.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Name = ").Append(Name)
            .Append(", Scopes = [").AppendJoin(' ', Scopes).Append(']')
            .Append(", NotBefore = ").Append(NotBefore)
            .Append(", ExpiresOn = ").Append(ExpiresOn)
            .Append(", IsRevoked = ").Append(IsRevoked);
        return true;
    }

    /// <summary>
    /// Whether the key may call a function that requires <paramref name="scope"/>, ignoring letter case as Functions does
    /// for function names. Allocates nothing.
    /// </summary>
    public bool AllowsScope(string scope)
    {
        if (Scopes.IsEmpty)
        {
            return true;
        }

        foreach (var granted in Scopes)
        {
            if (string.Equals(granted, scope, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
