using System.Diagnostics.CodeAnalysis;

namespace FunctionsApiKey;

/// <summary>
/// One declared key property beyond the built-in ones (scopes, validity times, enabled): its name, how its text is read
/// and written back, and whether a reader that does not know it must leave the key out. Settings
/// (<c>ApiKeys__Keys__&lt;key&gt;__&lt;Name&gt;</c>), Key Vault tags (<see cref="TagName"/>), the shared ring and the
/// tool all derive from this one declaration. Register it with <c>UseApiKeyAuthentication().AddKeyProperty(…)</c>;
/// declare a typed one with <see cref="ApiKeyProperty{T}"/>.
/// </summary>
public abstract class ApiKeyProperty
{
    /// <summary>The built-in properties' setting names, which no declaration may take.</summary>
    internal static readonly string[] BuiltInNames = ["Scopes", "NotBefore", "ExpiresOn", "Enabled"];

    /// <summary>Declares a property.</summary>
    /// <param name="name">The setting's last segment, e.g. <c>Tier</c>: ASCII letters and digits, starting with a letter, at most 64; not a built-in property.</param>
    /// <param name="isCritical">
    /// Whether a reader that does not know the property must leave the key out rather than serve it without it, as
    /// JWT's <c>crit</c>. Any property that restricts access must be critical.
    /// </param>
    /// <exception cref="ArgumentException">The name is not usable, or names a built-in property.</exception>
    protected ApiKeyProperty(string name, bool isCritical)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!IsValidName(name))
        {
            throw new ArgumentException("A key property's name is 1–64 ASCII letters and digits, starting with a letter.", nameof(name));
        }

        if (IsBuiltIn(name))
        {
            throw new ArgumentException($"{name} is a built-in key property; declare another name.", nameof(name));
        }

        Name = name;
        IsCritical = isCritical;
    }

    /// <summary>The property's name: the setting's last segment. Names compare ignoring letter case.</summary>
    public string Name { get; }

    /// <summary>The Key Vault tag that carries the property: <see cref="TagNameOf"/> its name.</summary>
    public string TagName => TagNameOf(Name);

    /// <summary>Whether a reader that does not know the property must leave the key out.</summary>
    public bool IsCritical { get; }

    /// <summary>
    /// Whether <paramref name="name"/> can name a property: 1–64 ASCII letters and digits, starting with a letter, so that
    /// it reads the same as a setting's segment, an environment variable's and a Key Vault tag's name.
    /// </summary>
    /// <param name="name">A property name.</param>
    public static bool IsValidName([NotNullWhen(true)] string? name) =>
        name is { Length: > 0 and <= 64 } && char.IsAsciiLetter(name[0]) && name.All(char.IsAsciiLetterOrDigit);

    /// <summary>The declaration among <paramref name="declared"/> named <paramref name="name"/> (ignoring letter case), or null.</summary>
    /// <param name="declared">Declared properties.</param>
    /// <param name="name">A property name as written in a setting, a tag or a ring.</param>
    public static ApiKeyProperty? Find(IEnumerable<ApiKeyProperty> declared, string name)
    {
        ArgumentNullException.ThrowIfNull(declared);
        return declared.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The Key Vault tag that carries the property named <paramref name="name"/>: the name in lower case.</summary>
    /// <param name="name">A property name (<see cref="IsValidName"/>).</param>
    public static string TagNameOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant();
    }

    /// <summary>Whether <paramref name="name"/> is a built-in key property (scopes, validity times, enabled), which cannot be declared.</summary>
    /// <param name="name">A property name, any letter case.</param>
    public static bool IsBuiltIn(string name) => BuiltInNames.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads the property's text as written in a setting, a tag or a ring, and writes it back in its canonical form.</summary>
    /// <param name="text">The written value.</param>
    /// <param name="canonical">The canonical text, when the value is valid.</param>
    /// <param name="problem">Otherwise why not, phrased to follow "the value" (e.g. "is not gold or silver"); it must name no key material.</param>
    public abstract bool TryCanonicalize(string text, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? problem);
}
