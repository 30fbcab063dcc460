using System.Collections.Immutable;

namespace FunctionsApiKey.Tool.Stores;

/// <summary>A key to store: its name, its stored form (<c>sha256:…</c>), and what bounds it.</summary>
internal sealed record NewKey(
    string Name,
    string StoredValue,
    ImmutableArray<string> Scopes,
    DateTimeOffset? NotBefore,
    DateTimeOffset? ExpiresOn,
    string? RotatedFrom);
