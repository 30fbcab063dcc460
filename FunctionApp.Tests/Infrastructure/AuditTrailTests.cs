namespace FunctionApp.Tests.Infrastructure;

/// <summary>An audit trail and a way back: the vault's reads and changes logged to the workspace, deleted blobs and containers recoverable.</summary>
public sealed class AuditTrailTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    [Fact]
    public void DeletedBlobsAndContainersCanBeRestoredForSevenDays()
    {
        var blobs = compiled.Deploy().Single("Microsoft.Storage/storageAccounts/blobServices");

        Assert.Equal((true, 7L), (blobs["properties.deleteRetentionPolicy.enabled"], blobs["properties.deleteRetentionPolicy.days"]));
        Assert.Equal((true, 7L), (blobs["properties.containerDeleteRetentionPolicy.enabled"], blobs["properties.containerDeleteRetentionPolicy.days"]));
    }

    [Fact]
    public void TheVaultsAuditEventsGoToTheWorkspace()
    {
        var deployment = compiled.Deploy();
        var setting = deployment.Single("Microsoft.Insights/diagnosticSettings");

        Assert.Equal(("Microsoft.KeyVault/vaults", deployment.Single("Microsoft.KeyVault/vaults").Name), (setting.Scope!.Type, setting.Scope.Name));
        Assert.Equal(deployment.Single("Microsoft.OperationalInsights/workspaces").Name, ((ArmResourceId)setting["properties.workspaceId"]!).Name);
        var logs = ((List<object?>)setting["properties.logs"]!).Cast<Dictionary<string, object?>>().ToList();
        Assert.Equal(["AuditEvent"], logs.Where(l => l["enabled"] is true).Select(l => (string)l["category"]!));
    }

    [Fact]
    public void DeployMdShowsTheQueryForWhoReadOrChangedWhichKey()
    {
        var doc = File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "docs", "deploy.md"));

        Assert.Contains("Category == \"AuditEvent\"", doc, StringComparison.Ordinal);
        Assert.Contains("SecretGet", doc, StringComparison.Ordinal);
    }
}
