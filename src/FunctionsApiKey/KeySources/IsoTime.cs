using System.Globalization;

namespace FunctionsApiKey.KeySources;

/// <summary>
/// The one way a key's validity times are written in settings: ISO 8601 with a four-digit year, month and day in that
/// order. A date alone means midnight UTC and a time without an offset is UTC, so a setting means the same instant on
/// every machine. Other forms (<c>12/01/2026</c>, which a culture could read as December or January) are refused.
/// </summary>
public static class IsoTime
{
    private static readonly string[] Formats =
    [
        "yyyy'-'MM'-'dd",
        "yyyy'-'MM'-'dd'T'HH':'mmK",
        "yyyy'-'MM'-'dd'T'HH':'mm':'ssK",
        "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'FFFFFFFK",
    ];

    /// <summary>An instant written as settings and the tool take it, for messages.</summary>
    public const string Example = "2027-01-31T00:00:00Z";

    /// <summary>Reads <paramref name="text"/> by the rule above.</summary>
    /// <param name="text">The setting's or option's text.</param>
    /// <param name="time">The instant, in UTC.</param>
    public static bool TryParse(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
}
