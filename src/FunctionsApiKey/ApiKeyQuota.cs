using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace FunctionsApiKey;

/// <summary>
/// A key's quota, the value of the <see cref="ApiKeyPolicies.Quota"/> property: at most <see cref="Count"/> allowed
/// requests in each UTC calendar <see cref="Period"/>. Written <c>50000/day</c> or <c>1000000/month</c>.
/// </summary>
/// <param name="Count">Requests per period, 1 to <see cref="ApiKeyRateLimit.MaxCount"/>.</param>
/// <param name="Period">The UTC calendar period.</param>
public sealed record ApiKeyQuota(long Count, ApiKeyQuotaPeriod Period)
{
    /// <summary>Reads a written quota, e.g. <c>1000000/month</c>.</summary>
    /// <param name="text">The written value.</param>
    /// <param name="quota">The quota, when the text reads.</param>
    /// <param name="problem">Otherwise why not, phrased to follow "the value".</param>
    public static bool TryParse(string text, [NotNullWhen(true)] out ApiKeyQuota? quota, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        quota = null;
        const string Form = "write it as <count>/day or <count>/month, e.g. 50000/day";
        var trimmed = text.Trim();
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !ApiKeyRateLimit.TryCount(trimmed[..slash], out var count))
        {
            problem = $"does not start with a count of requests from 1 to {ApiKeyRateLimit.MaxCount:N0}; {Form}";
            return false;
        }

        ApiKeyQuotaPeriod? period = trimmed[(slash + 1)..].ToLowerInvariant() switch
        {
            "day" => ApiKeyQuotaPeriod.Day,
            "month" => ApiKeyQuotaPeriod.Month,
            _ => null,
        };
        if (period is not { } known)
        {
            problem = $"has no period day or month after the /; {Form}";
            return false;
        }

        problem = null;
        quota = new ApiKeyQuota(count, known);
        return true;
    }

    /// <summary>The start of the period that holds <paramref name="now"/>, in UTC.</summary>
    /// <param name="now">Any time.</param>
    public DateTimeOffset PeriodStart(DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        return Period == ApiKeyQuotaPeriod.Day
            ? new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero)
            : new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
    }

    /// <summary>The end of the period that holds <paramref name="now"/> (the next one's start), in UTC.</summary>
    /// <param name="now">Any time.</param>
    public DateTimeOffset PeriodEnd(DateTimeOffset now)
    {
        var start = PeriodStart(now);
        return Period == ApiKeyQuotaPeriod.Day ? start.AddDays(1) : start.AddMonths(1);
    }

    /// <summary>The canonical text, e.g. <c>50000/day</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Count}/{(Period == ApiKeyQuotaPeriod.Day ? "day" : "month")}");
}
