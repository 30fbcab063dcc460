using FunctionApp.KeyRing;

namespace FunctionApp.KeySources;

/// <summary>Turns a stored key value, plaintext or <c>sha256:&lt;hex&gt;</c>, into the hash the key ring holds.</summary>
internal static class ApiKeyValueParser
{
    private static readonly char[] LineBreaks = ['\r', '\n'];

    /// <param name="value">The stored value.</param>
    /// <param name="maxKeyLength">The longest plaintext key a caller may present.</param>
    /// <param name="hash">The hash to look the key up by.</param>
    /// <param name="problem">Why the value is refused, phrased to follow the setting or secret name; never quotes the value.</param>
    public static bool TryParse(string value, int maxKeyLength, out ApiKeyHash hash, out string? problem)
    {
        // `az keyvault secret set --file`, `echo … |` and editors leave a line break at the end; a key has no whitespace,
        // so the break is not part of it.
        value = value.TrimEnd(LineBreaks);
        problem = null;
        if (ApiKeyHash.LooksLikeHash(value))
        {
            if (ApiKeyHash.TryParse(value, out hash))
            {
                return true;
            }

            problem = "starts with sha256: but is not followed by exactly 64 hexadecimal digits";
            return false;
        }

        if (!ApiKeyFormat.IsValid(value, maxKeyLength))
        {
            hash = default;
            problem = $"is not a usable key: it must be 1 to {maxKeyLength} visible ASCII characters with no comma or whitespace";
            return false;
        }

        return ApiKeyHash.TryCompute(value, out hash);
    }
}
