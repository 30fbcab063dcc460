namespace FunctionApp.Tests.Infrastructure;

/// <summary>
/// The private network option: off by default (public endpoints, as before); with <c>vnetEnabled</c> the app sends its
/// traffic through a subnet delegated to Flex Consumption, and storage (blob, table) and the vault take traffic only
/// through private endpoints whose names resolve in private DNS zones linked to the network.
/// </summary>
public sealed class NetworkTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    private static readonly string[] NetworkTypes =
    [
        "Microsoft.Network/virtualNetworks", "Microsoft.Network/privateEndpoints", "Microsoft.Network/privateDnsZones",
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    ];

    [Theory]
    [InlineData("keyvault")]
    [InlineData("sharedring")]
    public void ByDefaultThereIsNoNetworkAndStorageAndTheVaultArePublic(string keySource)
    {
        var deployment = compiled.Deploy(keySource);

        Assert.DoesNotContain(deployment.Resources, r => NetworkTypes.Contains(r.Type));
        Assert.Equal(("Enabled", "Allow"), PublicAccess(deployment.Single("Microsoft.Storage/storageAccounts")));
        Assert.Equal(("Enabled", "Allow"), PublicAccess(deployment.Single("Microsoft.KeyVault/vaults")));
        Assert.Null(deployment.Single("Microsoft.Web/sites")["properties.virtualNetworkSubnetId"]);
    }

    [Theory]
    [InlineData("keyvault")]
    [InlineData("sharedring")]
    public void WithTheNetworkStorageAndTheVaultArePrivate(string keySource)
    {
        var deployment = Private(keySource);

        Assert.Equal(("Disabled", "Deny"), PublicAccess(deployment.Single("Microsoft.Storage/storageAccounts")));
        Assert.Equal(("Disabled", "Deny"), PublicAccess(deployment.Single("Microsoft.KeyVault/vaults")));
    }

    [Fact]
    public void TheAppSendsItsTrafficThroughASubnetDelegatedToFlexConsumption()
    {
        var deployment = Private("keyvault");
        var vnet = deployment.Single("Microsoft.Network/virtualNetworks");
        var subnet = (ArmResourceId)deployment.Single("Microsoft.Web/sites")["properties.virtualNetworkSubnetId"]!;
        var subnets = ((List<object?>)vnet["properties.subnets"]!).Cast<Dictionary<string, object?>>().ToDictionary(s => (string)s["name"]!);

        Assert.Equal(("Microsoft.Network/virtualNetworks/subnets", vnet.Name), (subnet.Type, subnet.Names[0]));
        var delegations = (List<object?>)((Dictionary<string, object?>)subnets[subnet.Name]["properties"]!)["delegations"]!;
        Assert.Equal("Microsoft.App/environments", ((Dictionary<string, object?>)((Dictionary<string, object?>)delegations.Single()!)["properties"]!)["serviceName"]);
    }

    [Fact]
    public void BlobTableAndVaultEachHaveAnEndpointInTheOtherSubnetAndAZoneLinkedToTheNetwork()
    {
        var deployment = Private("sharedring");
        var vnet = deployment.Single("Microsoft.Network/virtualNetworks").Name;
        var storage = deployment.Single("Microsoft.Storage/storageAccounts").Name;
        var vault = deployment.Single("Microsoft.KeyVault/vaults").Name;
        var app = ((ArmResourceId)deployment.Single("Microsoft.Web/sites")["properties.virtualNetworkSubnetId"]!).Name;

        var endpoints = deployment.Resources.Where(r => r.Type == "Microsoft.Network/privateEndpoints").Select(endpoint =>
        {
            var connection = (Dictionary<string, object?>)((Dictionary<string, object?>)((List<object?>)endpoint["properties.privateLinkServiceConnections"]!).Single()!)["properties"]!;
            var subnet = (ArmResourceId)endpoint["properties.subnet.id"]!;
            Assert.Equal(vnet, subnet.Names[0]);
            Assert.NotEqual(app, subnet.Name);
            var group = (string)((List<object?>)connection["groupIds"]!).Single()!;
            var zoneGroup = deployment.Resources.Single(r => r.Type == "Microsoft.Network/privateEndpoints/privateDnsZoneGroups" && r.Name.StartsWith(endpoint.Name + "/", StringComparison.Ordinal));
            var zone = ((ArmResourceId)((Dictionary<string, object?>)((Dictionary<string, object?>)((List<object?>)zoneGroup["properties.privateDnsZoneConfigs"]!).Single()!)["properties"]!)["privateDnsZoneId"]!).Name;
            return $"{group} -> {((ArmResourceId)connection["privateLinkServiceId"]!).Name} in {zone}";
        });
        Assert.Equal(
            [$"blob -> {storage} in privatelink.blob.core.windows.net", $"table -> {storage} in privatelink.table.core.windows.net", $"vault -> {vault} in privatelink.vaultcore.azure.net"],
            endpoints.Order(StringComparer.Ordinal));

        var links = deployment.Resources.Where(r => r.Type == "Microsoft.Network/privateDnsZones/virtualNetworkLinks").ToList();
        Assert.Equal(
            ["privatelink.blob.core.windows.net", "privatelink.table.core.windows.net", "privatelink.vaultcore.azure.net"],
            links.Select(l => l.Name.Split('/')[0]).Order(StringComparer.Ordinal));
        Assert.All(links, l => Assert.Equal((false, vnet), (l["properties.registrationEnabled"], ((ArmResourceId)l["properties.virtualNetwork.id"]!).Name)));
    }

    [Fact]
    public void AzdTurnsItOnWithVnetEnabledAndDeployMdSaysWhatTheKeyToolThenNeeds()
    {
        var parameters = File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "infra", "main.parameters.json"));
        var doc = File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "docs", "deploy.md"));

        Assert.Contains("\"${VNET_ENABLED=false}\"", parameters, StringComparison.Ordinal);
        Assert.False(compiled.Template.Json["parameters"]!["vnetEnabled"]!["defaultValue"]!.GetValue<bool>());
        Assert.Contains("## Private network", doc, StringComparison.Ordinal);
        Assert.Contains("dotnet apikeys", doc[doc.IndexOf("## Private network", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    private ArmDeployment Private(string keySource) => compiled.Deploy(keySource, new() { ["vnetEnabled"] = true });

    private static (object? Access, object? DefaultAction) PublicAccess(ArmResource resource) =>
        (resource["properties.publicNetworkAccess"], resource["properties.networkAcls.defaultAction"]);
}
