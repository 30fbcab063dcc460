using System.Globalization;
using System.Text.RegularExpressions;

namespace FunctionApp.Tests.Infrastructure;

/// <summary>
/// The names a Kusto query of the template reads: instruments (<c>name == '…'</c>), custom dimensions
/// (<c>customDimensions['…']</c>), log categories and event ids; and which of them the packages do not emit.
/// </summary>
internal sealed partial record QueryNames(IReadOnlyList<string> Instruments, IReadOnlyList<string> Dimensions, IReadOnlyList<string> Categories, IReadOnlyList<int> EventIds)
{
    public static QueryNames Of(string query) => new(
        [.. InstrumentName().Matches(query).Select(m => m.Groups[1].Value).Distinct()],
        [.. Dimension().Matches(query).Select(m => m.Groups[1].Value).Distinct()],
        [.. Category().Matches(query).Select(m => m.Groups[1].Value).Distinct()],
        [.. EventIdList().Matches(query).SelectMany(m => m.Groups[1].Value.Split(',')).Select(id => int.Parse(id.Trim(), CultureInfo.InvariantCulture))]);

    /// <summary>What <paramref name="query"/> reads that the packages' documented telemetry does not have.</summary>
    public static List<string> Unknown(string query)
    {
        var names = Of(query);
        var instruments = TelemetryContract.DocumentedInstruments();
        var events = TelemetryContract.Events();
        var dimensions = names.Instruments.Where(instruments.ContainsKey).SelectMany(i => instruments[i])
            .Concat(TelemetryContract.LogDimensions)
            .Concat(events.Where(e => names.EventIds.Contains(e.Id)).SelectMany(e => e.Placeholders))
            .ToHashSet(StringComparer.Ordinal);
        return
        [
            .. names.Instruments.Where(i => !instruments.ContainsKey(i)).Select(i => $"instrument {i}"),
            .. names.Dimensions.Where(d => !dimensions.Contains(d)).Select(d => $"dimension {d}"),
            .. names.Categories.Where(c => !TelemetryContract.Categories.Contains(c)).Select(c => $"category {c}"),
            .. names.EventIds.Where(id => events.All(e => e.Id != id)).Select(id => $"event {id}"),
        ];
    }

    [GeneratedRegex(@"\bname == '([^']+)'")]
    private static partial Regex InstrumentName();

    [GeneratedRegex(@"customDimensions\['([^']+)'\]")]
    private static partial Regex Dimension();

    [GeneratedRegex(@"customDimensions\['CategoryName'\]\) == '([^']+)'")]
    private static partial Regex Category();

    [GeneratedRegex(@"customDimensions\['EventId'\]\) in \(([\d,\s]+)\)")]
    private static partial Regex EventIdList();
}
