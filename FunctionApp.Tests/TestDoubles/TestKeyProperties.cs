using System.Diagnostics.CodeAnalysis;
using FunctionsApiKey;

namespace FunctionApp.Tests.TestDoubles;

/// <summary>
/// Key properties declared here only, in the test project, to prove that a new property needs no change to any package:
/// settings, vault tags, the shared ring and the tool all follow the declaration.
/// </summary>
internal static class TestKeyProperties
{
    /// <summary>A non-critical property: a reader that does not know it may serve the key without it.</summary>
    public static readonly ApiKeyProperty<string> Tier = OneOf("Tier", isCritical: false, "gold", "silver");

    /// <summary>A critical property (it restricts access): a reader that does not know it must leave the key out.</summary>
    public static readonly ApiKeyProperty<string> Region = OneOf("Region", isCritical: true, "EU", "US");

    /// <summary>A property whose value is one of <paramref name="values"/>, written in any letter case.</summary>
    public static ApiKeyProperty<string> OneOf(string name, bool isCritical, params string[] values)
    {
        bool Parse(string text, [MaybeNullWhen(false)] out string value, [NotNullWhen(false)] out string? problem)
        {
            value = values.FirstOrDefault(v => string.Equals(v, text.Trim(), StringComparison.OrdinalIgnoreCase));
            problem = value is null ? $"is not {string.Join(" or ", values)}" : null;
            return value is not null;
        }

        return new ApiKeyProperty<string>(name, Parse, value => value, isCritical);
    }
}
