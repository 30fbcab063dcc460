using System.Collections.Immutable;

namespace FunctionsApiKey.Tool.Stores;

/// <summary>A key as its store describes it: never its value or hash.</summary>
internal sealed record StoredKey(
    string Name,
    ImmutableArray<string> Scopes,
    bool Enabled,
    DateTimeOffset? NotBefore,
    DateTimeOffset? ExpiresOn,
    DateTimeOffset? Created,
    string? RotatedFrom);
