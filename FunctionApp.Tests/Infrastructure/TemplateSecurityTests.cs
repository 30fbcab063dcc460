namespace FunctionApp.Tests.Infrastructure;

/// <summary>
/// What the compiled template asks Azure for, resource by resource: no shared keys, HTTPS and TLS 1.2 only, a vault that
/// uses Azure RBAC and cannot be purged, telemetry by identity only, and the Flex Consumption app on .NET 10.
/// </summary>
public sealed class TemplateSecurityTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    private ArmDeployment Deployment(Dictionary<string, object?>? parameters = null) =>
        compiled.Template.For(new(parameters ?? []) { ["environmentName"] = "test" });

    [Fact]
    public void TheStorageAccountRefusesSharedKeysAnonymousReadsAndOldTls()
    {
        var storage = Deployment().Single("Microsoft.Storage/storageAccounts");

        Assert.Equal(false, storage["properties.allowSharedKeyAccess"]);
        Assert.Equal(true, storage["properties.defaultToOAuthAuthentication"]);
        Assert.Equal(false, storage["properties.allowBlobPublicAccess"]);
        Assert.Equal(true, storage["properties.supportsHttpsTrafficOnly"]);
        Assert.Equal("TLS1_2", storage["properties.minimumTlsVersion"]);
    }

    [Fact]
    public void NoContainerIsPublic()
    {
        var containers = compiled.Deploy("sharedring").Resources.Where(r => r.Type == "Microsoft.Storage/storageAccounts/blobServices/containers").ToList();

        Assert.Equal(["app-package", "functionsapikey"], containers.Select(c => c.Name.Split('/')[^1]).Order(StringComparer.Ordinal));
        Assert.All(containers, c => Assert.Equal("None", c["properties.publicAccess"]));
    }

    [Fact]
    public void TheVaultUsesAzureRbacWithSoftDeleteAndPurgeProtection()
    {
        var vault = Deployment().Single("Microsoft.KeyVault/vaults");

        Assert.Equal(true, vault["properties.enableRbacAuthorization"]);
        Assert.Equal(true, vault["properties.enableSoftDelete"]);
        Assert.Equal(true, vault["properties.enablePurgeProtection"]);
        Assert.Equal(90L, vault["properties.softDeleteRetentionInDays"]);
        Assert.False(vault.Body.TryGetValue("accessPolicies", out _) || ((Dictionary<string, object?>)vault.Body["properties"]!).ContainsKey("accessPolicies"));
    }

    [Fact]
    public void TelemetryIsAcceptedOnlyFromMicrosoftEntraId()
    {
        var deployment = Deployment();
        var insights = deployment.Single("Microsoft.Insights/components");
        var workspace = deployment.Single("Microsoft.OperationalInsights/workspaces");

        Assert.Equal(true, insights["properties.DisableLocalAuth"]);
        Assert.Equal(workspace.Name, ((ArmResourceId)insights["properties.WorkspaceResourceId"]!).Name);
        Assert.Equal(true, workspace["properties.features.disableLocalAuth"]);
    }

    [Fact]
    public void TheAppTakesHttpsAndTls12OnlyAndNoFtpOrPublishingPasswordsThroughThePoliciesFlexConsumptionAccepts()
    {
        var deployment = Deployment();
        var app = deployment.Single("Microsoft.Web/sites");

        Assert.Equal(true, app["properties.httpsOnly"]);
        Assert.Equal("1.2", app["properties.siteConfig.minTlsVersion"]);
        Assert.Equal("1.2", app["properties.siteConfig.scmMinTlsVersion"]);
        var policies = deployment.Resources.Where(r => r.Type == "Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();
        Assert.Equal(["ftp", "scm"], policies.Select(p => p.Name.Split('/')[^1]).Order(StringComparer.Ordinal));
        Assert.All(policies, p => Assert.Equal(false, p["properties.allow"]));
    }

    [Fact]
    public void TheAppRunsOnFlexConsumptionWithDotnetIsolated10AndOnlyTheUserAssignedIdentity()
    {
        var deployment = Deployment(new() { ["maximumInstanceCount"] = 250L, ["instanceMemoryMB"] = 4096L });
        var app = deployment.Single("Microsoft.Web/sites");
        var identity = deployment.Single("Microsoft.ManagedIdentity/userAssignedIdentities");
        var plan = deployment.Single("Microsoft.Web/serverfarms");

        Assert.Equal(("FC1", "FlexConsumption"), (plan["sku.name"], plan["sku.tier"]));
        Assert.Equal(("dotnet-isolated", "10.0"), (app["properties.functionAppConfig.runtime.name"], app["properties.functionAppConfig.runtime.version"]));
        Assert.Equal((250L, 4096L), (app["properties.functionAppConfig.scaleAndConcurrency.maximumInstanceCount"], app["properties.functionAppConfig.scaleAndConcurrency.instanceMemoryMB"]));
        Assert.Equal("UserAssigned", app["identity.type"]);
        Assert.Equal([$"Microsoft.ManagedIdentity/userAssignedIdentities/{identity.Name}"], ((Dictionary<string, object?>)app["identity.userAssignedIdentities"]!).Keys);
        Assert.Equal("UserAssignedIdentity", app["properties.functionAppConfig.deployment.storage.authentication.type"]);
        Assert.Equal(identity.Name, ((ArmResourceId)app["properties.functionAppConfig.deployment.storage.authentication.userAssignedIdentityResourceId"]!).Name);
        Assert.EndsWith(".primaryEndpoints.blob}app-package", (string)app["properties.functionAppConfig.deployment.storage.value"]!, StringComparison.Ordinal);
    }
}
