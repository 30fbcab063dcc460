namespace FunctionApp.Tests.Infrastructure;

/// <summary>
/// The shared rate-limit store: off by default (each instance counts on its own, no Redis resource, no setting); with
/// <c>rateLimitStoreEnabled</c> an Azure Managed Redis database on the TLS port with access keys off, the app's identity
/// given the <c>default</c> access policy, and the app told the database's host:port; with the private network too, the
/// store behind a private endpoint in its own DNS zone and closed to the public.
/// </summary>
public sealed class RateLimitStoreTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    private const string Cluster = "Microsoft.Cache/redisEnterprise";
    private const string Database = "Microsoft.Cache/redisEnterprise/databases";
    private const string AccessPolicyAssignment = "Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments";

    [Theory]
    [InlineData("settings", false)]
    [InlineData("keyvault", false)]
    [InlineData("sharedring", true)]
    public void ByDefaultThereIsNoStoreAndNoSettingForIt(string keySource, bool vnetEnabled)
    {
        var deployment = compiled.Deploy(keySource, new() { ["vnetEnabled"] = vnetEnabled });

        Assert.DoesNotContain(deployment.Resources, r => r.Type.StartsWith(Cluster, StringComparison.Ordinal));
        Assert.DoesNotContain(AppSettingsTests.AppSettings(deployment).Keys, k => k.StartsWith("ApiKeys__Redis__", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(PrivateZones(deployment), z => z.Contains("redis", StringComparison.Ordinal));
    }

    [Fact]
    public void AzdLeavesItOffUnlessRateLimitStoreEnabledIsSet()
    {
        var parameters = File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "infra", "main.parameters.json"));

        Assert.Contains("\"${RATE_LIMIT_STORE_ENABLED=false}\"", parameters, StringComparison.Ordinal);
        Assert.False(compiled.Template.Json["parameters"]!["rateLimitStoreEnabled"]!["defaultValue"]!.GetValue<bool>());
    }

    [Fact]
    public void OnItIsTheCheapestAzureManagedRedisWithOneDatabaseOnTlsAndNoAccessKeys()
    {
        var deployment = Store();
        var cluster = deployment.Single(Cluster);
        var database = deployment.Single(Database);

        Assert.Equal("Balanced_B0", cluster["sku.name"]);
        Assert.Equal("1.2", cluster["properties.minimumTlsVersion"]);
        Assert.Equal("Enabled", cluster["properties.publicNetworkAccess"]);
        Assert.Equal($"{cluster.Name}/default", database.Name);
        Assert.Equal(("Encrypted", 10000L, "Disabled"), (database["properties.clientProtocol"], database["properties.port"], database["properties.accessKeysAuthentication"]));
    }

    [Fact]
    public void OnlyTheAppsIdentityGetsTheDefaultAccessPolicy()
    {
        var deployment = Store();
        var identity = deployment.Single("Microsoft.ManagedIdentity/userAssignedIdentities").Name;
        var assignment = deployment.Single(AccessPolicyAssignment);

        Assert.StartsWith(deployment.Single(Database).Name + "/", assignment.Name, StringComparison.Ordinal);
        Assert.Equal("default", assignment["properties.accessPolicyName"]);
        Assert.Equal(new ArmRuntimeValue($"reference(Microsoft.ManagedIdentity/userAssignedIdentities/{identity}).principalId"), assignment["properties.user.objectId"]);
        // The app runs as that identity alone, so its principal is the one the app's Entra token names.
        Assert.Equal("UserAssigned", deployment.Single("Microsoft.Web/sites")["identity.type"]);
        Assert.Equal([$"Microsoft.ManagedIdentity/userAssignedIdentities/{identity}"], ((Dictionary<string, object?>)deployment.Single("Microsoft.Web/sites")["identity.userAssignedIdentities"]!).Keys);
    }

    [Theory]
    [InlineData("settings")]
    [InlineData("keyvault")]
    [InlineData("sharedring")]
    public void TheAppIsToldTheDatabasesHostAndTlsPort(string keySource)
    {
        var deployment = compiled.Deploy(keySource, new() { ["rateLimitStoreEnabled"] = true });

        var settings = AppSettingsTests.AppSettings(deployment);
        Assert.Equal($"{{reference({Cluster}/{deployment.Single(Cluster).Name}).hostName}}:10000", settings["ApiKeys__Redis__Endpoint"]);

        // The app has no system-assigned identity: the store's token must be the user-assigned one its access policy names.
        Assert.Equal("managedidentity", settings["ApiKeys__Redis__Credential"]);
        Assert.Matches(@"^\{reference\(Microsoft\.ManagedIdentity/userAssignedIdentities/[^)]+\)\.clientId\}$", settings["ApiKeys__Redis__ClientId"]);
    }

    [Fact]
    public void WithTheNetworkTheStoreIsPrivateBehindAnEndpointWhoseNameResolvesInTheNetwork()
    {
        var deployment = Store(vnetEnabled: true);
        var cluster = deployment.Single(Cluster);
        var vnet = deployment.Single("Microsoft.Network/virtualNetworks").Name;
        var endpoint = deployment.Resources.Single(r => r.Type == "Microsoft.Network/privateEndpoints" && ((ArmResourceId)Connection(r)["privateLinkServiceId"]!).Type == Cluster);
        var zoneGroup = deployment.Resources.Single(r => r.Type == "Microsoft.Network/privateEndpoints/privateDnsZoneGroups" && r.Name.StartsWith(endpoint.Name + "/", StringComparison.Ordinal));
        var zone = (ArmResourceId)((Dictionary<string, object?>)((Dictionary<string, object?>)((List<object?>)zoneGroup["properties.privateDnsZoneConfigs"]!).Single()!)["properties"]!)["privateDnsZoneId"]!;
        var link = deployment.Resources.Single(r => r.Type == "Microsoft.Network/privateDnsZones/virtualNetworkLinks" && r.Name.StartsWith("privatelink.redis.azure.net/", StringComparison.Ordinal));

        Assert.Equal("Disabled", cluster["properties.publicNetworkAccess"]);
        Assert.Equal((cluster.Name, "redisEnterprise"), (((ArmResourceId)Connection(endpoint)["privateLinkServiceId"]!).Name, ((List<object?>)Connection(endpoint)["groupIds"]!).Single()));
        Assert.Equal(vnet, ((ArmResourceId)endpoint["properties.subnet.id"]!).Names[0]);
        Assert.Equal("privatelink.redis.azure.net", zone.Name);
        Assert.Equal(vnet, ((ArmResourceId)link["properties.virtualNetwork.id"]!).Name);
    }

    private ArmDeployment Store(bool vnetEnabled = false) =>
        compiled.Deploy("keyvault", new() { ["rateLimitStoreEnabled"] = true, ["vnetEnabled"] = vnetEnabled });

    private static Dictionary<string, object?> Connection(ArmResource endpoint) =>
        (Dictionary<string, object?>)((Dictionary<string, object?>)((List<object?>)endpoint["properties.privateLinkServiceConnections"]!).Single()!)["properties"]!;

    private static IEnumerable<string> PrivateZones(ArmDeployment deployment) =>
        deployment.Resources.Where(r => r.Type == "Microsoft.Network/privateDnsZones").Select(r => r.Name);
}
