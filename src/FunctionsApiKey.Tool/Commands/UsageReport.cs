using System.Text.Json;
using System.Text.Json.Serialization;

namespace FunctionsApiKey.Tool.Commands;

/// <summary>
/// What <c>usage --json</c> writes: the key, the UTC range shown (<c>from</c> inclusive, <c>to</c> exclusive, whole
/// days), its totals, and the hours with any request, in order (camelCase, ISO 8601 times in UTC). Hours without a
/// request are left out.
/// </summary>
internal sealed record UsageReport(string Name, DateTimeOffset From, DateTimeOffset To, UsageTotals Totals, IReadOnlyList<UsageHour> Hours)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The largest of any hour's three counts: the chart's full height.</summary>
    [JsonIgnore]
    public long BusiestHour => Hours.Count == 0 ? 0 : Hours.Max(h => Math.Max(h.Allowed, Math.Max(h.Denied, h.OverLimit)));

    public static UsageReport Of(string name, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<KeyUsage> hours)
    {
        var shown = hours.Select(h => new UsageHour(h.Hour, h.Allowed, h.Denied, h.OverLimit)).ToList();
        return new(name, from, to, new UsageTotals(shown.Sum(h => h.Allowed), shown.Sum(h => h.Denied), shown.Sum(h => h.OverLimit)), shown);
    }
}

/// <summary>One UTC hour's requests that presented the key.</summary>
internal sealed record UsageHour(DateTimeOffset Hour, long Allowed, long Denied, long OverLimit);

/// <summary>The requests of the whole range.</summary>
internal sealed record UsageTotals(long Allowed, long Denied, long OverLimit);
