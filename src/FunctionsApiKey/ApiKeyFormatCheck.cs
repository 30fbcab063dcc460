namespace FunctionsApiKey;

/// <summary>What <see cref="ApiKeyFormat.Check"/> found.</summary>
public enum ApiKeyFormatCheck
{
    /// <summary>The value does not start with the prefix and <c>_</c>: a key in another format, checked only by lookup.</summary>
    NotPrefixed,

    /// <summary>Well formed, and the checksum matches.</summary>
    Valid,

    /// <summary>Starts with the prefix but has the wrong length, separators or characters.</summary>
    Malformed,

    /// <summary>Well formed, but the checksum does not match the body: mistyped, truncated or made up.</summary>
    ChecksumMismatch,
}
