using System.Diagnostics.CodeAnalysis;

namespace FunctionsApiKey;

/// <summary>
/// What a key string may be, wherever it appears: in a request header, and as a stored value (the key itself, or
/// <c>sha256:</c> and the 64 hex digits of its SHA-256). One rule for both, so a key accepted at load can be presented.
/// </summary>
/// <remarks>
/// A key is 1 to <see cref="MaxLength"/> visible ASCII characters with no comma. Commas are excluded because a
/// repeated header arrives comma-joined; whitespace because RFC 9110 strips it from the ends of a field value;
/// control and non-ASCII characters because no generated key contains them. A stored value may end in a line break
/// (<c>az keyvault secret set --file</c>, <c>echo … |</c>), which is not part of the key.
/// </remarks>
public static class ApiKeyText
{
    /// <summary>The longest key; longer header values are refused without being hashed.</summary>
    public const int MaxLength = 512;

    /// <summary>The prefix of a key stored as its hash.</summary>
    public const string HashPrefix = "sha256:";

    private static readonly char[] LineBreaks = ['\r', '\n'];

    /// <summary>Whether <paramref name="value"/> can be a key. Allocates nothing.</summary>
    /// <param name="value">A presented or stored key.</param>
    public static bool IsWellFormed(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is < '!' or > '~' or ',')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The form to store a key in so its plaintext is kept nowhere: <c>sha256:</c> and 64 lowercase hex digits.</summary>
    /// <param name="key">The key.</param>
    public static string StoredForm(ReadOnlySpan<char> key)
    {
        var hash = ApiKeyHash.Compute(key);
        return HashPrefix + Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// Turns a stored value into the hash the key ring holds.
    /// </summary>
    /// <param name="value">The key, or <c>sha256:</c> and 64 hex digits (either letter case).</param>
    /// <param name="hash">The hash to look the key up by.</param>
    /// <param name="problem">Why the value is refused, phrased to follow the setting or secret name; never quotes the value.</param>
    internal static bool TryParseStored(string value, out ApiKeyHash hash, [NotNullWhen(false)] out string? problem)
    {
        var text = value.AsSpan().TrimEnd(LineBreaks);
        problem = null;
        if (text.StartsWith(HashPrefix, StringComparison.OrdinalIgnoreCase))
        {
            if (ApiKeyHash.TryParseHex(text[HashPrefix.Length..], out hash))
            {
                return true;
            }

            problem = $"starts with {HashPrefix} but is not followed by exactly 64 hexadecimal digits";
            return false;
        }

        if (!IsWellFormed(text))
        {
            hash = default;
            problem = $"is not a usable key: it must be 1 to {MaxLength} visible ASCII characters with no comma or whitespace";
            return false;
        }

        hash = ApiKeyHash.Compute(text);
        return true;
    }
}
