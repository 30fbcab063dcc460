using System.Collections.Immutable;

namespace FunctionsApiKey.Tool.Stores;

/// <summary>A key as its store describes it: never its value or hash.</summary>
/// <remarks>
/// <paramref name="LeftOut"/> is why the app leaves the key out (e.g. a misspelt scopes tag), in the app's own words, or
/// null when the app uses it; a key left out has no <paramref name="Scopes"/> that mean anything.
/// </remarks>
internal sealed record StoredKey(
    string Name,
    ImmutableArray<string> Scopes,
    bool Enabled,
    DateTimeOffset? NotBefore,
    DateTimeOffset? ExpiresOn,
    DateTimeOffset? Created,
    string? RotatedFrom,
    string? LeftOut);
