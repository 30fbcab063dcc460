using System.Diagnostics.CodeAnalysis;

namespace FunctionsApiKey;

/// <summary>Reads a key property's written text into its value, or says why it cannot (naming no key material).</summary>
/// <typeparam name="T">The property's value type.</typeparam>
/// <param name="text">The written value.</param>
/// <param name="value">The value, when the text is valid.</param>
/// <param name="problem">Otherwise why not, phrased to follow "the value".</param>
public delegate bool ApiKeyPropertyParser<T>(string text, [MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out string? problem);
