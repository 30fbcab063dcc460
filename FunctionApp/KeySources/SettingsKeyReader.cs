using System.Globalization;
using FunctionApp.KeyRing;
using Microsoft.Extensions.Configuration;

namespace FunctionApp.KeySources;

/// <summary>
/// Reads keys written in configuration:
/// <c>ApiKeys:Keys:&lt;name&gt;</c> = the key or <c>sha256:&lt;hex&gt;</c>, with optional
/// <c>ApiKeys:Keys:&lt;name&gt;:Scopes</c> (separated by spaces or commas), <c>:NotBefore</c> and <c>:ExpiresOn</c> (ISO 8601).
/// As environment variables: <c>ApiKeys__Keys__&lt;name&gt;</c>, <c>ApiKeys__Keys__&lt;name&gt;__Scopes</c>, …
/// </summary>
internal static class SettingsKeyReader
{
    public const string SectionPath = "ApiKeys:Keys";

    private static readonly string[] KnownProperties = ["Scopes", "NotBefore", "ExpiresOn"];

    /// <summary>The keys that parse, and one message per key that does not (naming the setting, never the value).</summary>
    public static (IReadOnlyList<ApiKey> Keys, IReadOnlyList<string> Errors) Read(IConfigurationSection keysSection, int maxKeyLength)
    {
        var keys = new List<ApiKey>();
        var errors = new List<string>();

        foreach (var entry in keysSection.GetChildren())
        {
            var setting = $"{SectionPath}:{entry.Key}";
            if (ParseKey(entry, setting, maxKeyLength, errors) is { } key)
            {
                keys.Add(key);
            }
        }

        return (keys, errors);
    }

    private static ApiKey? ParseKey(IConfigurationSection entry, string setting, int maxKeyLength, List<string> errors)
    {
        var errorCount = errors.Count;
        foreach (var child in entry.GetChildren())
        {
            if (!KnownProperties.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{setting}:{child.Key} is not a key property; use {string.Join(", ", KnownProperties)}.");
            }
        }

        ApiKeyHash hash = default;
        if (string.IsNullOrEmpty(entry.Value))
        {
            errors.Add($"{setting} has no value; set it to the key, or to sha256:<64 hex digits> of the key.");
        }
        else if (!ApiKeyValueParser.TryParse(entry.Value, maxKeyLength, out hash, out var problem))
        {
            errors.Add($"{setting} {problem}.");
        }

        // Present but listing nothing would read as "no scopes", which allows every function: refuse it instead.
        if (entry.GetSection("Scopes").Value is { } scopes && ScopeList.Parse(scopes).IsEmpty)
        {
            errors.Add($"{setting}:Scopes is empty; list the scopes the key may call, or remove the setting to allow every function.");
        }

        var notBefore = ParseTime(entry, "NotBefore", setting, errors);
        var expiresOn = ParseTime(entry, "ExpiresOn", setting, errors);
        if (notBefore >= expiresOn)
        {
            errors.Add($"{setting}:NotBefore is not before {setting}:ExpiresOn, so the key could never be used; correct one of them.");
        }

        if (errors.Count > errorCount)
        {
            return null;
        }

        return new ApiKey
        {
            Name = entry.Key,
            Hash = hash,
            Scopes = ScopeList.Parse(entry["Scopes"]),
            NotBefore = notBefore,
            ExpiresOn = expiresOn,
        };
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
