using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace FunctionsApiKey;

/// <summary>
/// A key's rate limit, the value of the <see cref="ApiKeyPolicies.RateLimit"/> property: <see cref="Count"/> requests
/// per <see cref="Period"/>, with up to <see cref="Burst"/> at once after a quiet spell. Written <c>100/s</c>,
/// <c>6000/min</c>, <c>50000/h</c>, <c>100/s burst 200</c>.
/// </summary>
/// <param name="Count">Requests per period, 1 to <see cref="MaxCount"/>.</param>
/// <param name="Period">One second, minute, hour or day.</param>
/// <param name="Burst">Requests a caller may send at once after being idle, 1 to <see cref="MaxCount"/>; <see cref="Count"/> unless written.</param>
public sealed record ApiKeyRateLimit(long Count, TimeSpan Period, long Burst)
{
    /// <summary>The largest count or burst a rate limit may have.</summary>
    public const long MaxCount = 1_000_000_000;

    private static readonly (string Unit, TimeSpan Period)[] Units =
    [
        ("s", TimeSpan.FromSeconds(1)), ("sec", TimeSpan.FromSeconds(1)), ("second", TimeSpan.FromSeconds(1)),
        ("min", TimeSpan.FromMinutes(1)), ("minute", TimeSpan.FromMinutes(1)),
        ("h", TimeSpan.FromHours(1)), ("hour", TimeSpan.FromHours(1)),
        ("d", TimeSpan.FromDays(1)), ("day", TimeSpan.FromDays(1)),
    ];

    /// <summary>Reads a written rate limit, e.g. <c>100/s burst 200</c>.</summary>
    /// <param name="text">The written value.</param>
    /// <param name="limit">The limit, when the text reads.</param>
    /// <param name="problem">Otherwise why not, phrased to follow "the value".</param>
    public static bool TryParse(string text, [NotNullWhen(true)] out ApiKeyRateLimit? limit, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        limit = null;
        const string Form = "write it as <count>/<s|min|h|day>, optionally followed by burst <count>, e.g. 100/s or 100/s burst 200";
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length is not (1 or 3) || (words.Length == 3 && !string.Equals(words[1], "burst", StringComparison.OrdinalIgnoreCase)))
        {
            problem = $"is not a rate limit; {Form}";
            return false;
        }

        var slash = words[0].IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !TryCount(words[0][..slash], out var count))
        {
            problem = $"does not start with a count of requests from 1 to {MaxCount:N0}; {Form}";
            return false;
        }

        var unit = words[0][(slash + 1)..];
        var period = Array.Find(Units, u => string.Equals(u.Unit, unit, StringComparison.OrdinalIgnoreCase)).Period;
        if (period == TimeSpan.Zero)
        {
            problem = $"has no period s, min, h or day after the /; {Form}";
            return false;
        }

        var burst = count;
        if (words.Length == 3 && !TryCount(words[2], out burst))
        {
            problem = $"has a burst that is not a count from 1 to {MaxCount:N0}; {Form}";
            return false;
        }

        problem = null;
        limit = new ApiKeyRateLimit(count, period, burst);
        return true;
    }

    /// <summary>The canonical text: <c>100/s</c>, or <c>100/s burst 200</c> when the burst differs from the count.</summary>
    public override string ToString()
    {
        var unit = Period == TimeSpan.FromSeconds(1) ? "s" : Period == TimeSpan.FromMinutes(1) ? "min" : Period == TimeSpan.FromHours(1) ? "h" : "day";
        var text = string.Create(CultureInfo.InvariantCulture, $"{Count}/{unit}");
        return Burst == Count ? text : string.Create(CultureInfo.InvariantCulture, $"{text} burst {Burst}");
    }

    /// <summary>The narrower of two limits, part by part: the lower rate and the lower burst, so that neither is exceeded.</summary>
    /// <param name="other">The other limit.</param>
    public ApiKeyRateLimit Narrowest(ApiKeyRateLimit other)
    {
        ArgumentNullException.ThrowIfNull(other);

        // Compare rates as requests per day, exactly: count / period, both periods dividing a day.
        var mine = Count * (TimeSpan.TicksPerDay / Period.Ticks);
        var theirs = other.Count * (TimeSpan.TicksPerDay / other.Period.Ticks);
        var rate = mine <= theirs ? this : other;
        return rate with { Burst = Math.Min(Burst, other.Burst) };
    }

    internal static bool TryCount(string text, out long count) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count is >= 1 and <= MaxCount;
}
