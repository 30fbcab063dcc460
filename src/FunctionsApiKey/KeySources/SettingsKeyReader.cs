using System.Collections.Immutable;
using Microsoft.Extensions.Configuration;

namespace FunctionsApiKey.KeySources;

/// <summary>
/// Reads keys written in configuration:
/// <c>ApiKeys:Keys:&lt;name&gt;</c> = the key or <c>sha256:&lt;hex&gt;</c>, with optional
/// <c>ApiKeys:Keys:&lt;name&gt;:Scopes</c> (separated by spaces or commas; <c>*</c> or no setting for every function), <c>:NotBefore</c> and <c>:ExpiresOn</c> (ISO 8601),
/// and <c>:Enabled</c> (<c>false</c> revokes the key but keeps it known, so denials name it).
/// As environment variables: <c>ApiKeys__Keys__&lt;name&gt;</c>, <c>ApiKeys__Keys__&lt;name&gt;__Scopes</c>, …
/// </summary>
public static class SettingsKeyReader
{
    /// <summary>The configuration section the keys are in.</summary>
    public const string SectionPath = "ApiKeys:Keys";

    /// <summary>The keys that parse, and one message per key that does not (naming the setting, never the value).</summary>
    internal static (IReadOnlyList<ApiKey> Keys, IReadOnlyList<string> Errors) Read(IConfiguration configuration, IEnumerable<ApiKeyProperty>? properties = null)
    {
        var entries = ReadEntries(configuration, properties ?? []);
        return ([.. entries.Where(e => e.Errors.Count == 0).Select(e => e.Key!)], [.. entries.SelectMany(e => e.Errors)]);
    }

    /// <summary>
    /// Every key the section names, as the app reads it: the app uses an entry's key only when the entry has no error.
    /// The tool reads keys through this too, so that it shows a key the app leaves out as left out, for the same reason.
    /// It reads the built-in policies (<see cref="ApiKeyPolicies"/>), which every app declares.
    /// </summary>
    /// <param name="configuration">The app's configuration (the section is <see cref="SectionPath"/> within it).</param>
    public static IReadOnlyList<SettingsKeyEntry> ReadEntries(IConfiguration configuration) => ReadEntries(configuration, ApiKeyPolicies.All);

    /// <summary>Like <see cref="ReadEntries(IConfiguration)"/>, also reading the declared <paramref name="properties"/>.</summary>
    /// <param name="configuration">The app's configuration (the section is <see cref="SectionPath"/> within it).</param>
    /// <param name="properties">The declared key properties (<c>AddKeyProperty</c>); a setting for any other is an error.</param>
    public static IReadOnlyList<SettingsKeyEntry> ReadEntries(IConfiguration configuration, IEnumerable<ApiKeyProperty> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var declared = properties.ToList();
        return [.. configuration.GetSection(SectionPath).GetChildren().Select(entry => ParseEntry(entry, declared))];
    }

    private static SettingsKeyEntry ParseEntry(IConfigurationSection entry, List<ApiKeyProperty> declared)
    {
        var setting = $"{SectionPath}:{entry.Key}";
        var errors = new List<string>();
        var extensions = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var child in entry.GetChildren())
        {
            var property = ApiKeyProperty.Find(declared, child.Key);
            if (property is not null && child.Value is { } text && !child.GetChildren().Any())
            {
                // A malformed value leaves the key out: serving it without the property could widen what it may do.
                if (property.TryCanonicalize(text, out var canonical, out var propertyProblem))
                {
                    extensions[property.Name] = canonical;
                }
                else
                {
                    errors.Add($"{setting}:{child.Key} {propertyProblem}.");
                }

                continue;
            }

            if (property is null && !ApiKeyProperty.IsBuiltIn(child.Key))
            {
                errors.Add($"{setting}:{child.Key} is not a key property; use {string.Join(", ", ApiKeyProperty.BuiltInNames.Concat(declared.Select(p => p.Name)))}.");
                continue;
            }

            // A property written as a list (Scopes:0, or ApiKeys__Keys__<name>__Scopes__0 in the environment) has no
            // value of its own, so it would read as absent: no scopes, no expiry, enabled. Refuse it rather than widen the key.
            var form = string.Equals(child.Key, "Scopes", StringComparison.OrdinalIgnoreCase) ? "one value, the scopes separated by spaces or commas" : "one value";
            foreach (var part in child.GetChildren())
            {
                errors.Add($"{setting}:{child.Key}:{part.Key} is not a key property; write {setting}:{child.Key} as {form}, not as a list.");
            }
        }

        ApiKey? key = null;
        if (string.IsNullOrEmpty(entry.Value))
        {
            errors.Add($"{setting} has no value; set it to the key, or to sha256:<64 hex digits> of the key.");
        }
        else if (!ApiKey.TryFromValue(entry.Key, entry.Value, out key, out var problem))
        {
            errors.Add($"{setting} {problem}.");
        }

        // Present but listing nothing would read as "no scopes", which allows every function: refuse it instead. Unlike a
        // vault tag, a missing Scopes may still mean every function: a misspelt property name stops the app (above), so
        // it cannot pass for a missing one. * says the same explicitly.
        ImmutableArray<string> scopes = [];
        switch (entry["Scopes"] is { } scopesText ? ApiKey.ReadScopes(scopesText, out scopes) : ScopesListProblem.None)
        {
            case ScopesListProblem.NamesNothing:
                errors.Add($"{setting}:Scopes is empty; list the scopes the key may call, or set it to {ApiKeyDefaults.EveryFunction} to allow every function.");
                break;
            case ScopesListProblem.MixesEveryFunction:
                errors.Add($"{setting}:Scopes mixes {ApiKeyDefaults.EveryFunction} with scope names; set it to {ApiKeyDefaults.EveryFunction} alone to allow every function, or list only the scopes the key may call.");
                break;
        }

        var enabled = true;
        if (entry["Enabled"] is { } enabledText && !bool.TryParse(enabledText, out enabled))
        {
            errors.Add($"{setting}:Enabled '{enabledText}' is not true or false.");
        }

        var notBefore = ParseTime(entry, "NotBefore", setting, errors);
        var expiresOn = ParseTime(entry, "ExpiresOn", setting, errors);
        if (notBefore >= expiresOn)
        {
            errors.Add($"{setting}:NotBefore is not before {setting}:ExpiresOn, so the key could never be used; correct one of them.");
        }

        return new SettingsKeyEntry(
            entry.Key,
            key is null ? null : key with { Scopes = scopes, NotBefore = notBefore, ExpiresOn = expiresOn, IsRevoked = !enabled, Properties = extensions.ToImmutable() },
            errors);
    }

    private static DateTimeOffset? ParseTime(IConfigurationSection entry, string property, string setting, List<string> errors)
    {
        // Present but blank is a mistake, not "no limit": a key meant to expire would otherwise never expire.
        var text = entry[property];
        if (text is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add($"{setting}:{property} is empty; set an ISO 8601 time such as {IsoTime.Example}, or remove the setting.");
            return null;
        }

        if (IsoTime.TryParse(text, out var time))
        {
            return time;
        }

        errors.Add($"{setting}:{property} '{text}' is not an ISO 8601 date and time; write it as {IsoTime.Example} (a date alone means midnight UTC, a time without an offset is UTC).");
        return null;
    }
}
