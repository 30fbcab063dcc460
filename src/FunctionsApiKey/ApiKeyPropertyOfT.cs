using System.Diagnostics.CodeAnalysis;

namespace FunctionsApiKey;

/// <summary>A declared key property with a typed value: <see cref="ApiKey.TryGetProperty{T}"/> reads it back from a key.</summary>
/// <typeparam name="T">The property's value type.</typeparam>
/// <param name="name">The setting's last segment, e.g. <c>Tier</c>.</param>
/// <param name="parse">Text → value, or a problem that names no key material.</param>
/// <param name="format">Value → canonical text, which <paramref name="parse"/> reads back to the same value.</param>
/// <param name="isCritical">Whether a reader that does not know the property must leave the key out.</param>
public sealed class ApiKeyProperty<T>(string name, ApiKeyPropertyParser<T> parse, Func<T, string> format, bool isCritical)
    : ApiKeyProperty(name, isCritical)
{
    private readonly ApiKeyPropertyParser<T> _parse = parse ?? throw new ArgumentNullException(nameof(parse));
    private readonly Func<T, string> _format = format ?? throw new ArgumentNullException(nameof(format));

    /// <summary>Reads a written value.</summary>
    /// <param name="text">The written value.</param>
    /// <param name="value">The value, when the text is valid.</param>
    /// <param name="problem">Otherwise why not.</param>
    public bool TryParse(string text, [MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out string? problem) => _parse(text, out value, out problem);

    /// <summary>The canonical text of a value.</summary>
    /// <param name="value">The value.</param>
    public string Format(T value) => _format(value);

    /// <inheritdoc/>
    public override bool TryCanonicalize(string text, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        canonical = TryParse(text, out var value, out problem) ? Format(value) : null;
        return canonical is not null;
    }
}
