using System.Collections.Immutable;

namespace FunctionsApiKey.Tool.Stores;

/// <summary>A key as its store describes it: never its value or hash.</summary>
/// <remarks>
/// <paramref name="LeftOut"/> is why the app leaves the key out (e.g. a misspelt scopes tag), in the app's own words, or
/// null when the app uses it; a key left out has no <paramref name="Scopes"/> that mean anything.
/// <paramref name="Properties"/> are its other properties as stored, by the store's own name for them (a vault tag, a
/// setting's last segment): every tag or setting but the scopes, the validity times, the enabled flag and the tool's
/// own <c>rotated-from</c> tag, whether or not the app declares it, so that a rotation carries them all over.
/// </remarks>
internal sealed record StoredKey(
    string Name,
    ImmutableArray<string> Scopes,
    bool Enabled,
    DateTimeOffset? NotBefore,
    DateTimeOffset? ExpiresOn,
    DateTimeOffset? Created,
    string? RotatedFrom,
    string? LeftOut,
    ImmutableSortedDictionary<string, string> Properties);
