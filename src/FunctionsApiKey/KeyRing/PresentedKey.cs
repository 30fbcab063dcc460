namespace FunctionsApiKey.KeyRing;

/// <summary>The first check of a presented header value, before any key is looked up.</summary>
internal static class PresentedKey
{
    /// <summary>
    /// Checks a presented header value before any key is looked up: <see cref="ApiKeyOutcome.Missing"/>,
    /// <see cref="ApiKeyOutcome.Malformed"/>, or <see cref="ApiKeyOutcome.Allowed"/> to go on.
    /// </summary>
    /// <param name="value">The header value, or null when the header is absent.</param>
    /// <param name="valueCount">How many values the header had; more than one is malformed.</param>
    /// <param name="keyPrefix">The prefix of issued keys: a value that carries it must pass <see cref="ApiKeyFormat.Check"/>.</param>
    public static ApiKeyOutcome Check(string? value, int valueCount, string keyPrefix) =>
        valueCount > 1 ? ApiKeyOutcome.Malformed
        : string.IsNullOrEmpty(value) ? ApiKeyOutcome.Missing
        : ApiKeyFormat.Check(value, keyPrefix) switch
        {
            ApiKeyFormatCheck.Valid => ApiKeyOutcome.Allowed,
            ApiKeyFormatCheck.NotPrefixed when ApiKeyText.IsWellFormed(value) => ApiKeyOutcome.Allowed,
            _ => ApiKeyOutcome.Malformed,
        };
}
