using System.Collections.Immutable;

namespace FunctionApp.KeySources;

/// <summary>Parses the space-separated scopes of a key, as written in a Key Vault tag or a setting.</summary>
internal static class ScopeList
{
    public static ImmutableArray<string> Parse(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? []
            : [.. text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal)];
}
