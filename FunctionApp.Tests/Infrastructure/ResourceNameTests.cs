using System.Text.RegularExpressions;

namespace FunctionApp.Tests.Infrastructure;

/// <summary>
/// Every resource name the template makes holds for every environment name azd accepts: the environment name goes into a
/// tag only, and the names are a prefix and a 13-character token (ARM's uniqueString, which the evaluator imitates in
/// length and alphabet). Each name is checked against its type's rules (learn.microsoft.com, "Naming rules and
/// restrictions for Azure resources").
/// </summary>
public sealed partial class ResourceNameTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    /// <summary>Length and characters of each resource type's name; a type missing here fails the test, so a new resource brings its rule.</summary>
    private static readonly Dictionary<string, (int Min, int Max, Regex Pattern)> Rules = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Microsoft.ManagedIdentity/userAssignedIdentities"] = (3, 128, new("^[A-Za-z0-9][A-Za-z0-9_-]*$")),
        ["Microsoft.Storage/storageAccounts"] = (3, 24, new("^[a-z0-9]+$")),
        ["Microsoft.Storage/storageAccounts/blobServices"] = (7, 7, new("^default$")),
        ["Microsoft.Storage/storageAccounts/tableServices"] = (7, 7, new("^default$")),
        ["Microsoft.Storage/storageAccounts/blobServices/containers"] = (3, 63, new("^[a-z0-9](?!.*--)[a-z0-9-]*[a-z0-9]$")),
        ["Microsoft.Storage/storageAccounts/tableServices/tables"] = (3, 63, new("^[A-Za-z][A-Za-z0-9]*$")),
        ["Microsoft.KeyVault/vaults"] = (3, 24, new("^[A-Za-z](?!.*--)[A-Za-z0-9-]*[A-Za-z0-9]$")),
        ["Microsoft.OperationalInsights/workspaces"] = (4, 63, new("^[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]$")),
        ["Microsoft.Insights/components"] = (1, 260, new(@"^[^%&\\?/\p{C}]*[^%&\\?/\p{C}. ]$")),
        ["Microsoft.Web/serverfarms"] = (1, 60, new("^[A-Za-z0-9-]+$")),
        ["Microsoft.Web/sites"] = (2, 60, new("^[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]$")),
        ["Microsoft.Web/sites/basicPublishingCredentialsPolicies"] = (3, 3, new("^(ftp|scm)$")),
        ["Microsoft.Authorization/roleAssignments"] = (36, 36, Guid()),
        ["Microsoft.Insights/workbooks"] = (36, 36, Guid()),
        ["Microsoft.Network/virtualNetworks"] = (2, 64, new("^[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9_]$")),
        ["Microsoft.Network/privateEndpoints"] = (2, 64, new("^[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9_]$")),
        ["Microsoft.Network/privateEndpoints/privateDnsZoneGroups"] = (1, 80, new("^[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9_]$")),
        ["Microsoft.Network/privateDnsZones"] = (1, 253, new(@"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$")),
        ["Microsoft.Network/privateDnsZones/virtualNetworkLinks"] = (1, 80, new("^[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9_]$")),
        ["Microsoft.Insights/diagnosticSettings"] = (1, 260, new(@"^[^*/%&:\\?+#\p{C}]+$")),
        ["Microsoft.Insights/actionGroups"] = (1, 260, new(@"^[^:<>+/&%\\?\p{C}]+$")),
        ["Microsoft.Insights/scheduledQueryRules"] = (1, 260, new(@"^[^*#&+:<>?@%{}\\/\p{C}]+$")),
        ["Microsoft.Cache/redisEnterprise"] = (1, 60, new("^[A-Za-z0-9](?!.*--)[A-Za-z0-9-]*[A-Za-z0-9]$")),
        ["Microsoft.Cache/redisEnterprise/databases"] = (7, 7, new("^default$")),
        ["Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments"] = (1, 60, new("^[A-Za-z0-9]+$")),
    };

    /// <summary>azd's rule for environment names (azure-dev, <c>environment.EnvironmentNameRegexp</c>).</summary>
    [GeneratedRegex(@"^[a-zA-Z0-9-\(\)_\.]{1,64}$")]
    private static partial Regex AzdEnvironmentName();

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    private static partial Regex Guid();

    public static TheoryData<string> EnvironmentNames =>
    [
        "a",
        "prod_eu",
        "prod.eu.",
        "team(a)",
        "A-b_c.d(e)",
        new string('x', 64),
        "-" + new string('(', 31) + new string('.', 32),
    ];

    [Theory]
    [MemberData(nameof(EnvironmentNames))]
    public void EveryNameFitsItsTypesRulesForEveryEnvironmentNameAzdAccepts(string environmentName)
    {
        Assert.Matches(AzdEnvironmentName(), environmentName);
        var deployment = compiled.Deploy("sharedring", new() { ["environmentName"] = environmentName, ["alertEmail"] = "ops@example.com", ["vnetEnabled"] = true, ["rateLimitStoreEnabled"] = true });

        Assert.True(deployment.Resources.Count >= 15, $"Expected the template's resources, got {deployment.Resources.Count}.");
        Assert.All(deployment.Resources, resource => Assert.Empty(Broken(resource.Type, resource.Name)));
        Assert.All(deployment.Resources.Where(r => r.Body.ContainsKey("tags")), r => Assert.Equal(environmentName, ((Dictionary<string, object?>)r["tags"]!)["azd-env-name"]));
    }

    [Fact]
    public void TheEnvironmentNameIsATagNeverPartOfAName()
    {
        var resources = compiled.Template.For(new() { ["environmentName"] = "marker" }).Resources;

        Assert.DoesNotContain(resources, r => r.Name.Contains("marker", StringComparison.Ordinal));
    }

    [Fact]
    public void TheTemplateTakesEveryLengthAzdAllows()
    {
        var parameter = compiled.Template.Json["parameters"]!["environmentName"]!;

        Assert.Equal((1, 64), ((int)parameter["minLength"]!, (int)parameter["maxLength"]!));
    }

    [Fact]
    public void NamesDifferBetweenEnvironmentsAndAreStableForOne()
    {
        string Vault(string environmentName) => compiled.Template.For(new() { ["environmentName"] = environmentName }).Single("Microsoft.KeyVault/vaults").Name;

        Assert.Equal(Vault("prod"), Vault("prod"));
        Assert.NotEqual(Vault("prod"), Vault("prod2"));
        Assert.Matches("^kv-[a-z2-7]{13}-1$", Vault("prod"));
    }

    [Fact]
    public void ABrokenNameIsCaught()
    {
        Assert.Equal(["length 25, not 3 to 24"], Broken("Microsoft.Storage/storageAccounts", "st" + new string('a', 23)));
        Assert.Equal(["characters"], Broken("Microsoft.Storage/storageAccounts", "st_x"));
        Assert.Equal(["characters"], Broken("Microsoft.KeyVault/vaults", "kv--x"));
        Assert.Equal(["no rule for Microsoft.Unknown/things"], Broken("Microsoft.Unknown/things", "x"));
    }

    /// <summary>What is wrong with <paramref name="name"/> for <paramref name="type"/>; for a child, its last segment is checked.</summary>
    private static List<string> Broken(string type, string name)
    {
        if (!Rules.TryGetValue(type, out var rule))
        {
            return [$"no rule for {type}"];
        }

        var own = name.Split('/')[^1];
        List<string> broken = [];
        if (own.Length < rule.Min || own.Length > rule.Max)
        {
            broken.Add($"length {own.Length}, not {rule.Min} to {rule.Max}");
        }

        if (!rule.Pattern.IsMatch(own))
        {
            broken.Add("characters");
        }

        return broken;
    }
}
