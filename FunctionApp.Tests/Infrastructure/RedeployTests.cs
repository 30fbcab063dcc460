using System.Text.Json.Nodes;

namespace FunctionApp.Tests.Infrastructure;

/// <summary>
/// What makes a second deployment work: after <c>azd down</c> the deleted vault keeps its name (purge protection), so
/// <c>vaultGeneration</c> gives the next vault another name and nothing else changes; and a deployment that could only
/// fail at the app's start (the shared ring without verification keys) fails at deployment instead, saying why.
/// </summary>
public sealed class RedeployTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    [Fact]
    public void ANewVaultGenerationRenamesTheVaultAndTheAppFollowsIt()
    {
        var first = Deployment(new() { ["vaultGeneration"] = 1L });
        var second = Deployment(new() { ["vaultGeneration"] = 2L });
        var vault = second.Single("Microsoft.KeyVault/vaults").Name;

        Assert.NotEqual(first.Single("Microsoft.KeyVault/vaults").Name, vault);
        Assert.EndsWith("-2", vault, StringComparison.Ordinal);
        Assert.Equal($"{{reference(Microsoft.KeyVault/vaults/{vault}).vaultUri}}", AppSetting(second, "ApiKeys__KeyVaultUri"));
        Assert.Equal(NamesOutsideTheVault(first), NamesOutsideTheVault(second));
    }

    [Fact]
    public void AzdPassesTheGenerationAndEveryOtherParameterByATemplateParameterName()
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "infra", "main.parameters.json")))!["parameters"]!.AsObject();

        Assert.Equal("${KEY_VAULT_GENERATION=1}", (string)file["vaultGeneration"]!["value"]!);
        Assert.All(file.Select(p => p.Key), name => Assert.Contains(name, compiled.Template.Parameters));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void TheSharedRingWithoutVerificationKeysStopsTheDeploymentSayingWhatIsMissing(string keys)
    {
        var failure = Assert.Throws<ArmDeploymentFailedException>(() => Deployment(new() { ["keySource"] = "sharedring", ["ringVerificationKeys"] = keys }));

        Assert.Contains("ringVerificationKeys", failure.Message, StringComparison.Ordinal);
        Assert.Contains("RING_VERIFICATION_KEYS", failure.Message, StringComparison.Ordinal);
        Assert.Contains("docs/shared-ring.md", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("settings", "")]
    [InlineData("keyvault", "")]
    [InlineData("sharedring", "MFkw")]
    public void EveryOtherCaseDeploys(string keySource, string keys) =>
        Assert.Equal(keySource, AppSetting(Deployment(new() { ["keySource"] = keySource, ["ringVerificationKeys"] = keys }), "ApiKeys__KeySource"));

    private ArmDeployment Deployment(Dictionary<string, object?> parameters) =>
        compiled.Template.For(new(parameters) { ["environmentName"] = "prod" });

    /// <summary>The names of the resources that are neither the vault, nor under it, nor derived from its id.</summary>
    private static List<string> NamesOutsideTheVault(ArmDeployment deployment) =>
        [.. deployment.Resources
            .Where(r => r.Type != "Microsoft.KeyVault/vaults" && r.Scope?.Type != "Microsoft.KeyVault/vaults")
            .Select(r => $"{r.Type}/{r.Name}")
            .Order(StringComparer.Ordinal)];

    private static string AppSetting(ArmDeployment deployment, string name) =>
        ((List<object?>)deployment.Single("Microsoft.Web/sites")["properties.siteConfig.appSettings"]!)
            .Cast<Dictionary<string, object?>>()
            .Single(s => (string)s["name"]! == name)["value"]!.ToString()!;
}
