namespace FunctionApp.Tests.Infrastructure;

/// <summary>
/// The contract the alerts and the workbook are checked against is the packages' own: the instruments docs/monitoring.md
/// lists are the ones the meter creates, and the query check catches a name that is not in it.
/// </summary>
public sealed class TelemetryContractTests
{
    [Fact]
    public void TheDocumentedInstrumentsAreTheOnesThePackagesCreate()
    {
        var documented = TelemetryContract.DocumentedInstruments();

        Assert.Equal(TelemetryContract.MeterInstruments().Order(StringComparer.Ordinal), documented.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["apikey.name", "apikey.outcome", "faas.name"], documented["apikey.decisions"].Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AQueryThatNamesWhatThePackagesDoNotEmitIsCaught()
    {
        const string query = """
            customMetrics
            | where name == 'apikey.decision' or name == 'apikey.ring.refused'
            | extend key = tostring(customDimensions['apikey.key']), reason = tostring(customDimensions['apikey.ring.reason'])
            | join (traces | where tostring(customDimensions['CategoryName']) == 'FunctionsApiKey.Ring' | where toint(customDimensions['EventId']) in (41, 99)) on key
            """;

        Assert.Equal(["instrument apikey.decision", "dimension apikey.key", "category FunctionsApiKey.Ring", "event 99"], QueryNames.Unknown(query));
    }

    [Fact]
    public void AnEventsPlaceholdersAreDimensionsOfItsLines() =>
        Assert.Empty(QueryNames.Unknown("traces | where toint(customDimensions['EventId']) in (50) | extend g = customDimensions['Generation'], b = customDimensions['Blob']"));
}
