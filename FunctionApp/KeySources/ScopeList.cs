using System.Collections.Immutable;

namespace FunctionApp.KeySources;

/// <summary>
/// Parses the scopes of a key, as written in a Key Vault tag or a setting: separated by whitespace, commas or both
/// (<c>reports SecureEndpoint</c>, <c>reports,SecureEndpoint</c>). Scopes compare ignoring letter case, like the
/// function names they usually are, so duplicates that differ only in case are kept once.
/// </summary>
internal static class ScopeList
{
    private static readonly char[] Separators = [' ', '\t', '\r', '\n', ','];

    /// <summary>The scopes in <paramref name="text"/>; empty when it lists none (which callers must not read as "every function").</summary>
    public static ImmutableArray<string> Parse(string? text) =>
        string.IsNullOrEmpty(text)
            ? []
            : [.. text.Split(Separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.OrdinalIgnoreCase)];
}
