using System.Text.RegularExpressions;
using FunctionsApiKey;

namespace FunctionApp.Tests.Tool;

/// <summary>The key format as the tool's README gives it, and the mistyped copy of a key that its checksum must catch.</summary>
internal static partial class ToolKeys
{
    /// <summary>A whole key and nothing else: <c>fnak_</c>, 43 base62 characters, <c>_</c>, 6 base62 characters.</summary>
    [GeneratedRegex("^fnak_[0-9A-Za-z]{43}_[0-9A-Za-z]{6}$")]
    public static partial Regex IssuedKey();

    /// <summary>
    /// <paramref name="key"/> with one character of its random part replaced by another base62 character: a typo. The
    /// CRC-32 detects every such change, so this never passes the checksum.
    /// </summary>
    public static string WithOneCharacterChanged(string key)
    {
        var position = ApiKeyFormat.DefaultPrefix.Length + 1 + 10;
        var changed = key[position] == 'a' ? 'b' : 'a';
        return string.Concat(key.AsSpan(0, position), changed.ToString(), key.AsSpan(position + 1));
    }
}
