using System.Buffers;
using System.Globalization;
using System.Text;

namespace FunctionsApiKey.KeyRing;

/// <summary>
/// Text from a key's store (a vault tag, a settings name) made safe to print: a control character (ESC starts a
/// terminal escape sequence) or a bidirectional override (which reorders what a reader sees) becomes <c>\u001b</c>, so
/// whoever can write a tag cannot drive the terminal of whoever reads the log or the tool's output.
/// </summary>
internal static class PrintableText
{
    private static readonly SearchValues<char> Unprintable = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(i => (char)i), .. Enumerable.Range(0x7f, 0x21).Select(i => (char)i),
         '\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069']);

    public static string Escape(string text)
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
}
