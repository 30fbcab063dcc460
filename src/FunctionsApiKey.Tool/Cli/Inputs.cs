using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using FunctionsApiKey.KeySources;
using FunctionsApiKey.KeyVault;

namespace FunctionsApiKey.Tool.Cli;

/// <summary>
/// What the user types, checked before anything is sent: each refusal names the argument and shows a valid form.
/// Times follow the app's rule for settings (<see cref="IsoTime"/>), scopes its separators (<see cref="ApiKey.ParseScopes"/>).
/// </summary>
internal static partial class Inputs
{
    // The key's name is what follows the secret prefix in the secret's name, by the vault package's rule.
    public static string KeyName(string? name, string secretPrefix)
    {
        var max = KeyVaultApiKeyOptionsValidator.MaxSecretNameLength - secretPrefix.Length;
        if (!KeyVaultApiKeyOptionsValidator.IsKeyName(name, secretPrefix))
        {
            throw new ToolException(ExitCodes.Usage, $"NAME '{name}' is not a key name: use 1 to {max} letters, digits and '-' (it becomes the secret {secretPrefix}<NAME>).");
        }

        return name;
    }

    public static ImmutableArray<string> Scopes(string[]? values)
    {
        if (values is null || values.Length == 0)
        {
            return [];
        }

        var scopes = ApiKey.ParseScopes(string.Join(' ', values));
        if (scopes.IsEmpty)
        {
            throw new ToolException(ExitCodes.Usage, "--scopes lists no scope; name at least one, or leave the option out to allow every function.");
        }

        foreach (var scope in scopes)
        {
            if (!ScopeCharacters().IsMatch(scope))
            {
                throw new ToolException(ExitCodes.Usage, $"--scopes: '{scope}' is not a scope; a scope is a function name or a [RequireScope] name: letters, digits, '-', '_' and '.'.");
            }
        }

        return scopes;
    }

    /// <summary>
    /// <c>--property NAME=VALUE</c>, each at most once: a declared property's value is checked and written in its
    /// canonical form, as the app would read it; any other property name is taken as written, and listed in
    /// <paramref name="unknown"/> so the caller can say the tool could not check it.
    /// </summary>
    public static ImmutableSortedDictionary<string, string> Properties(string[]? values, IReadOnlyList<ApiKeyProperty> declared, out IReadOnlyList<string> unknown)
    {
        var properties = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.OrdinalIgnoreCase);
        var notDeclared = new List<string>();
        foreach (var value in values ?? [])
        {
            var separator = value.IndexOf('=', StringComparison.Ordinal);
            var name = separator < 0 ? value : value[..separator];
            if (separator < 0 || !ApiKeyProperty.IsValidName(name))
            {
                throw new ToolException(ExitCodes.Usage, $"--property '{value}' is not NAME=VALUE with a property name of 1 to 64 ASCII letters and digits, starting with a letter.");
            }

            if (ApiKeyProperty.IsBuiltIn(name))
            {
                throw new ToolException(ExitCodes.Usage, $"--property {name}: set it with its own option (--scopes, --not-before, --expires), not as a property.");
            }

            if (properties.ContainsKey(name))
            {
                throw new ToolException(ExitCodes.Usage, $"--property {name} is given twice; give each property once.");
            }

            var text = value[(separator + 1)..];
            if (ApiKeyProperty.Find(declared, name) is { } property)
            {
                properties[property.Name] = property.TryCanonicalize(text, out var canonical, out var problem)
                    ? canonical
                    : throw new ToolException(ExitCodes.Usage, $"--property {property.Name}: the value {problem}.");
            }
            else
            {
                properties[name] = text;
                notDeclared.Add(name);
            }
        }

        unknown = notDeclared;
        return properties.ToImmutable();
    }

    public static DateTimeOffset? Time(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        return IsoTime.TryParse(text, out var time)
            ? time
            : throw new ToolException(ExitCodes.Usage, $"{option} '{text}' is not an ISO 8601 date or time; write it as 2027-06-30 or {IsoTime.Example} (a date alone is midnight UTC).");
    }

    /// <summary>A duration such as <c>90d</c>, <c>12h</c> or <c>30m</c>.</summary>
    public static TimeSpan? Duration(string? text, string option, bool allowZero)
    {
        if (text is null)
        {
            return null;
        }

        var match = DurationForm().Match(text);
        if (!match.Success || !int.TryParse(match.Groups["count"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            throw new ToolException(ExitCodes.Usage, $"{option} '{text}' is not a duration; write a whole number of days, hours or minutes: 90d, 12h, 30m.");
        }

        var duration = match.Groups["unit"].Value switch
        {
            "d" => TimeSpan.FromDays(count),
            "h" => TimeSpan.FromHours(count),
            _ => TimeSpan.FromMinutes(count),
        };
        if ((duration == TimeSpan.Zero && !allowZero) || duration > TimeSpan.FromDays(3650))
        {
            throw new ToolException(ExitCodes.Usage, $"{option} '{text}' must be {(allowZero ? "0" : "1m")} to 3650d.");
        }

        return duration;
    }

    /// <summary>The validity window from the options, checked against each other and against now.</summary>
    public static (DateTimeOffset? NotBefore, DateTimeOffset? ExpiresOn) Window(string? expires, string? ttl, string? notBefore, DateTimeOffset now)
    {
        if (expires is not null && ttl is not null)
        {
            throw new ToolException(ExitCodes.Usage, "Give --expires or --ttl, not both.");
        }

        var start = Time(notBefore, "--not-before");
        var end = Time(expires, "--expires") ?? (Duration(ttl, "--ttl", allowZero: false) is { } lifetime ? (start ?? now) + lifetime : null);
        if (end is { } e && e <= now)
        {
            throw new ToolException(ExitCodes.Usage, $"--expires {e:yyyy-MM-ddTHH:mm:ssZ} is in the past; the key could never be used.");
        }

        if (start is { } s && end is { } f && s >= f)
        {
            throw new ToolException(ExitCodes.Usage, "--not-before is not before the expiry; the key could never be used.");
        }

        return (start, end);
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex ScopeCharacters();

    [GeneratedRegex("^(?<count>[0-9]{1,5})(?<unit>[dhm])$")]
    private static partial Regex DurationForm();
}
