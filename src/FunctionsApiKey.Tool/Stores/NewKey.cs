using System.Collections.Immutable;

namespace FunctionsApiKey.Tool.Stores;

/// <summary>
/// A key to store: its name, its stored form (<c>sha256:…</c>), and what bounds it (no scopes: every function), with its
/// other properties by name (<see cref="StoredKey.Properties"/>), written as the store writes that name.
/// </summary>
internal sealed record NewKey(
    string Name,
    string StoredValue,
    ImmutableArray<string> Scopes,
    DateTimeOffset? NotBefore,
    DateTimeOffset? ExpiresOn,
    string? RotatedFrom,
    ImmutableSortedDictionary<string, string> Properties)
{
    /// <summary>
    /// The scopes as stored: <c>*</c> for every function, never nothing, since the app leaves out a vault key without a
    /// scopes tag.
    /// </summary>
    public string StoredScopes => Scopes.IsEmpty ? ApiKeyDefaults.EveryFunction : string.Join(' ', Scopes);
}
