namespace FunctionApp.Tests.Infrastructure;

/// <summary>
/// Every role assignment the template makes, in each key mode: which built-in role, for whom, on what. Each is on the
/// narrowest scope that works; only the host's Blob Data Owner is on the account, as Microsoft documents for an
/// identity-based AzureWebJobsStorage (the host creates its containers and leases blobs for timer locks).
/// </summary>
public sealed class RoleAssignmentTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    /// <summary>The built-in roles' definition ids, the same in every tenant (learn.microsoft.com, "Azure built-in roles").</summary>
    private static readonly Dictionary<string, string> BuiltInRoles = new(StringComparer.OrdinalIgnoreCase)
    {
        ["4633458b-17de-408a-b874-0445c86b69e6"] = "Key Vault Secrets User",
        ["b86a8fe4-44ce-4948-aee5-eccb2c155cd7"] = "Key Vault Secrets Officer",
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = "Storage Blob Data Owner",
        ["ba92f5b4-2d11-453d-a403-e96b0029c9fe"] = "Storage Blob Data Contributor",
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = "Storage Table Data Contributor",
        ["76199698-9eea-4c19-bc75-cec21354c6b6"] = "Storage Table Data Reader",
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = "Monitoring Metrics Publisher",
    };

    private static readonly string[] InEveryMode =
    [
        "app: Storage Blob Data Owner on Microsoft.Storage/storageAccounts",
        "app: Storage Table Data Contributor on Microsoft.Storage/storageAccounts/tableServices/tables apikeylastuse",
        "app: Monitoring Metrics Publisher on Microsoft.Insights/components",
        "deployer: Key Vault Secrets Officer on Microsoft.KeyVault/vaults",
        "deployer: Storage Table Data Reader on Microsoft.Storage/storageAccounts/tableServices/tables apikeylastuse",
    ];

    [Fact]
    public void WithKeysInSettingsTheAppGetsNoVaultRole() =>
        Assert.Equal(Expected(InEveryMode), Assignments("settings"));

    [Fact]
    public void WithKeysInTheVaultTheAppReadsSecretsOfThatVaultOnly() =>
        Assert.Equal(Expected([.. InEveryMode, "app: Key Vault Secrets User on Microsoft.KeyVault/vaults"]), Assignments("keyvault"));

    [Fact]
    public void WithTheSharedRingTheAppAndTheDeployerAlsoWriteTheRingsContainerOnly() =>
        Assert.Equal(
            Expected(
            [
                .. InEveryMode,
                "app: Key Vault Secrets User on Microsoft.KeyVault/vaults",
                "app: Storage Blob Data Contributor on Microsoft.Storage/storageAccounts/blobServices/containers functionsapikey",
                "deployer: Storage Blob Data Contributor on Microsoft.Storage/storageAccounts/blobServices/containers functionsapikey",
            ]),
            Assignments("sharedring"));

    [Fact]
    public void TheDeployerGetsNoRoleWhenNotAsked() =>
        Assert.DoesNotContain(Assignments("sharedring", grantDeployerKeyAccess: false), a => a.StartsWith("deployer", StringComparison.Ordinal));

    [Fact]
    public void EachAssignmentIsOnAResourceOfThisDeploymentAndForItsIdentity()
    {
        var deployment = compiled.Deploy("sharedring");
        var created = deployment.Resources.Select(r => $"{r.Type}/{r.Name}").ToHashSet(StringComparer.Ordinal);
        var identity = deployment.Single("Microsoft.ManagedIdentity/userAssignedIdentities").Name;

        foreach (var assignment in deployment.Resources.Where(r => r.Type == "Microsoft.Authorization/roleAssignments"))
        {
            Assert.Contains(assignment.Scope!.ToString(), created);
            var principal = assignment["properties.principalId"]!.ToString()!;
            if (principal != "{deployer().objectId}")
            {
                Assert.Equal($"{{reference(Microsoft.ManagedIdentity/userAssignedIdentities/{identity}).principalId}}", principal);
                Assert.Equal("ServicePrincipal", assignment["properties.principalType"]);
            }
        }
    }

    [Fact]
    public void TheDeployerIsWhoeverRunsTheDeploymentUserOrPipeline()
    {
        var deployer = compiled.Deploy().Resources.Where(r => r.Type == "Microsoft.Authorization/roleAssignments" && r["properties.principalId"]!.ToString() == "{deployer().objectId}").ToList();

        Assert.Equal(2, deployer.Count);
        Assert.All(deployer, a => Assert.False(((Dictionary<string, object?>)a.Body["properties"]!).ContainsKey("principalType")));
    }

    [Fact]
    public void DeployMdSaysWhoMayCreateTheAssignmentsWhatTheDeployerGetsAndHowToRemoveIt()
    {
        var doc = File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "docs", "deploy.md"));
        var rights = doc[doc.IndexOf("## The deployer's rights", StringComparison.Ordinal)..doc.IndexOf("## Private network", StringComparison.Ordinal)];
        var deployerRoles = Assignments("sharedring").Where(a => a.StartsWith("deployer", StringComparison.Ordinal)).Select(a => a["deployer: ".Length..a.IndexOf(" on ", StringComparison.Ordinal)]).ToList();

        Assert.Equal(3, deployerRoles.Count);
        Assert.All(deployerRoles, role => Assert.Contains($"**{role}**", rights, StringComparison.Ordinal));
        Assert.All(["**Owner**", "**User Access Administrator**", "**Role Based Access Control Administrator**", "az role assignment delete", "GRANT_DEPLOYER_KEY_ACCESS false", "containers/functionsapikey"], text => Assert.Contains(text, rights, StringComparison.Ordinal));
        Assert.Contains("\"${GRANT_DEPLOYER_KEY_ACCESS=true}\"", File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "infra", "main.parameters.json")), StringComparison.Ordinal);
    }

    private List<string> Assignments(string keySource, bool grantDeployerKeyAccess = true) =>
        [.. compiled.Deploy(keySource, new() { ["grantDeployerKeyAccess"] = grantDeployerKeyAccess })
            .Resources.Where(r => r.Type == "Microsoft.Authorization/roleAssignments")
            .Select(Describe)
            .Order(StringComparer.Ordinal)];

    private static List<string> Expected(string[] assignments) => [.. assignments.Order(StringComparer.Ordinal)];

    /// <summary>"who: role on scope type [scope name]", the scope's name only where it is a fixed one.</summary>
    private static string Describe(ArmResource assignment)
    {
        var role = (ArmResourceId)assignment["properties.roleDefinitionId"]!;
        Assert.Equal("Microsoft.Authorization/roleDefinitions", role.Type);
        var who = assignment["properties.principalId"]!.ToString() == "{deployer().objectId}" ? "deployer" : "app";
        var scope = assignment.Scope!;
        var fixedName = scope.Type.Contains("/containers", StringComparison.Ordinal) || scope.Type.Contains("/tables", StringComparison.Ordinal) ? " " + scope.Name : string.Empty;
        return $"{who}: {BuiltInRoles.GetValueOrDefault(role.Name, role.Name)} on {scope.Type}{fixedName}";
    }
}
