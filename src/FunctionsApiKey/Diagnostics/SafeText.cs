using System.Buffers;
using System.Globalization;
using System.Text;

namespace FunctionsApiKey.Diagnostics;

/// <summary>
/// Text safe to put in a log line or a terminal, for anyone writing a key source or a tool. Keys never go through
/// here: only names and messages do.
/// </summary>
public static class SafeText
{
    private static readonly SearchValues<char> Unprintable = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(i => (char)i), .. Enumerable.Range(0x7f, 0x21).Select(i => (char)i),
         '\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069']);

    /// <summary>
    /// Text from a key's store (a vault tag, a settings name) made safe to print: a control character (ESC starts a
    /// terminal escape sequence) or a bidirectional override (which reorders what a reader sees) becomes <c>\u001b</c>,
    /// so whoever can write a tag cannot drive the terminal of whoever reads the log or the tool's output.
    /// </summary>
    /// <param name="text">A name or tag from a store.</param>
    /// <returns>The text, with each unprintable character written as <c>\uXXXX</c>.</returns>
    public static string Printable(string text)
    {
        if (!text.AsSpan().ContainsAny(Unprintable))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (Unprintable.Contains(c))
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }

    /// <summary>The first line of an exception's message: later lines can carry a response body, which a log line must not.</summary>
    /// <param name="message">An exception's message.</param>
    public static string FirstLine(string message)
    {
        var end = message.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? message : message[..end];
    }
}
