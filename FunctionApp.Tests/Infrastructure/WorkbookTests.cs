using System.Text.Json.Nodes;

namespace FunctionApp.Tests.Infrastructure;

/// <summary>
/// The workbook deployed with the template (infra/workbook.json): on this Application Insights resource, with a panel for
/// each question docs/monitoring.md lists, each query reading only what the packages emit.
/// </summary>
public sealed class WorkbookTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    [Fact]
    public void TheWorkbookIsDeployedOnThisApplicationInsights()
    {
        var deployment = compiled.Deploy();
        var workbook = deployment.Single("Microsoft.Insights/workbooks");

        Assert.Equal("shared", workbook["kind"]);
        Assert.Equal(deployment.Single("Microsoft.Insights/components").Name, ((ArmResourceId)workbook["properties.sourceId"]!).Name);
        Assert.Equal("Notebook/1.0", (string)Content()["version"]!);
    }

    [Fact]
    public void ThereIsAPanelForEachQuestionAnOperatorAsks() =>
        Assert.Equal(
            ["Decisions per minute by outcome", "Top keys by requests", "Denials by reason and function", "Ring generation and age per instance", "Key-ring loads and failures", "Key-ring load failures, as logged"],
            Panels().Keys);

    [Fact]
    public void EveryPanelReadsOnlyWhatThePackagesEmit() =>
        Assert.All(Panels(), panel => Assert.Empty(QueryNames.Unknown(panel.Value)));

    [Fact]
    public void EachPanelReadsTheInstrumentsAndTagsOfItsQuestion()
    {
        var panels = Panels().ToDictionary(p => p.Key, p => QueryNames.Of(p.Value));

        Assert.Equal(["apikey.decisions"], panels["Decisions per minute by outcome"].Instruments);
        Assert.Equal(["apikey.outcome"], panels["Decisions per minute by outcome"].Dimensions);
        Assert.Contains("apikey.name", panels["Top keys by requests"].Dimensions);
        Assert.Equal(["apikey.outcome", "faas.name"], panels["Denials by reason and function"].Dimensions);
        Assert.Equal(["apikey.keyring.age"], panels["Ring generation and age per instance"].Instruments);
        Assert.Equal([TelemetryContract.Event("RingFresh").Id, TelemetryContract.Event("RingPublished").Id], panels["Ring generation and age per instance"].EventIds);
        Assert.Contains("Generation", panels["Ring generation and age per instance"].Dimensions);
        Assert.Equal(["apikey.keyring.load.duration"], panels["Key-ring loads and failures"].Instruments);
        Assert.Equal(["apikey.load.result"], panels["Key-ring loads and failures"].Dimensions);
        Assert.Equal([TelemetryContract.Event("KeyRingRefreshFailed").Id, TelemetryContract.Event("KeyRingFirstLoadFailed").Id], panels["Key-ring load failures, as logged"].EventIds);
    }

    [Fact]
    public void MonitoringMdDescribesEveryPanel()
    {
        var doc = File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "docs", "monitoring.md"));

        Assert.All(Panels().Keys, title => Assert.Contains($"| {title} |", doc, StringComparison.Ordinal));
    }

    /// <summary>The workbook as the template deploys it (Bicep inlines workbook.json as a string).</summary>
    private JsonObject Content() =>
        JsonNode.Parse((string)compiled.Deploy().Single("Microsoft.Insights/workbooks")["properties.serializedData"]!)!.AsObject();

    /// <summary>The query panels, title to query, in order.</summary>
    private Dictionary<string, string> Panels() =>
        Content()["items"]!.AsArray()
            .Where(item => (int)item!["type"]! == 3)
            .ToDictionary(item => (string)item!["content"]!["title"]!, item => (string)item!["content"]!["query"]!, StringComparer.Ordinal);
}
