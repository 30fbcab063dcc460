using System.Globalization;
using System.Text;

namespace FunctionApp.TestHost;

/// <summary>
/// Resolves <c>%Name%</c> in binding properties from app settings, as the host does: the WebJobs SDK's
/// <c>DefaultNameResolver</c> reads the job host's <c>IConfiguration</c>, whose environment-variable provider turns
/// <c>__</c> into <c>:</c> and matches keys ignoring case. So <c>%ApiKeys:PublishSchedule%</c> and
/// <c>%apikeys:publishschedule%</c> both read the variable <c>ApiKeys__PublishSchedule</c>, while
/// <c>%ApiKeys__PublishSchedule%</c> reads nothing. Under func start, local.settings.json's <c>Values</c> are such
/// variables; here they are in the worker's environment, which is what this reads.
/// </summary>
internal sealed class NameResolver
{
    private readonly Dictionary<string, string> _settings = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="settings">The app settings: the worker's environment.</param>
    public NameResolver(IReadOnlyDictionary<string, string> settings)
    {
        // Ordinal order, so that of two variables that read as the same key the outcome does not depend on the
        // environment's order: the one written with ':' wins over the one written with '__'.
        foreach (var (name, value) in settings.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            _settings[name.Replace("__", ":", StringComparison.Ordinal)] = value;
        }
    }

    /// <summary>The setting's value, or null if there is none (an empty value is a value).</summary>
    public string? Resolve(string name) => _settings.TryGetValue(name, out var value) ? value : null;

    /// <summary>
    /// Replaces every <c>%name%</c> in <paramref name="text"/> by its setting, as the WebJobs SDK's
    /// <c>NameResolverExtensions.ResolveWholeString</c> does.
    /// </summary>
    /// <exception cref="InvalidOperationException">With the SDK's message: a '%' is not closed, or a name has no setting.</exception>
    public string ResolveWholeString(string text)
    {
        var resolved = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var start = text.IndexOf('%', i);
            if (start < 0)
            {
                resolved.Append(text, i, text.Length - i);
                break;
            }

            var end = text.IndexOf('%', start + 1);
            if (end < 0)
            {
                throw new InvalidOperationException(string.Format(CultureInfo.CurrentCulture, "The '%' at position {0} does not have a closing '%'", start));
            }

            var name = text[(start + 1)..end];
            var value = Resolve(name) ?? throw new InvalidOperationException($"'%{name}%' does not resolve to a value.");
            resolved.Append(text, i, start - i).Append(value);
            i = end + 1;
        }

        return resolved.ToString();
    }
}
