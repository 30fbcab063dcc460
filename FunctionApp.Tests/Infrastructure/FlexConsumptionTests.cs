namespace FunctionApp.Tests.Infrastructure;

/// <summary>
/// Flex Consumption (FC1) refuses a set of site properties that other plans take, with ARM error 51021 ("The following
/// site configuration property … for Flex Consumption sites is invalid"), and ignores or refuses app settings that moved
/// into <c>functionAppConfig</c>. The lists below, with their sources, are the ones docs/deploy.md prints.
/// </summary>
public sealed class FlexConsumptionTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    /// <summary><c>siteConfig</c> properties Flex Consumption refuses, and where that is recorded.</summary>
    internal static readonly Dictionary<string, string> UnsupportedSiteConfig = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ftpsState"] = "microsoft/azure-pipelines-tasks#21032 (the 51021 message names it)",
        ["use32BitWorkerProcess"] = "microsoft/azure-pipelines-tasks#21032",
        ["netFrameworkVersion"] = "microsoft/azure-pipelines-tasks#21032",
        ["functionsRuntimeScaleMonitoringEnabled"] = "microsoft/azure-pipelines-tasks#21032",
        ["linuxFxVersion"] = "Azure/terraform-azurerm-avm-res-web-site#283 (the 51021 message); the runtime is functionAppConfig.runtime",
        ["windowsFxVersion"] = "Azure/terraform-azurerm-avm-res-web-site#345: FC1 is Linux only",
        ["alwaysOn"] = "Azure/terraform-azurerm-avm-res-web-site#345 (guarded for FC1 before it)",
    };

    /// <summary>App settings Flex Consumption does not take (learn.microsoft.com, "Flex Consumption plan deprecations").</summary>
    internal static readonly Dictionary<string, string> UnsupportedAppSettings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["FUNCTIONS_WORKER_RUNTIME"] = "functionAppConfig.runtime.name",
        ["FUNCTIONS_EXTENSION_VERSION"] = "the platform sets the host's version",
        ["WEBSITE_RUN_FROM_PACKAGE"] = "functionAppConfig.deployment.storage",
        ["WEBSITE_CONTENTSHARE"] = "no Azure Files content share on Flex Consumption",
        ["WEBSITE_CONTENTAZUREFILECONNECTIONSTRING"] = "no Azure Files content share on Flex Consumption",
        ["WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT"] = "functionAppConfig.scaleAndConcurrency.maximumInstanceCount",
        ["WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED"] = "no placeholders on Flex Consumption",
        ["FUNCTIONS_WORKER_RUNTIME_VERSION"] = "functionAppConfig.runtime.version",
    };

    public static TheoryData<string> KeySources => ["settings", "keyvault", "sharedring"];

    [Theory]
    [MemberData(nameof(KeySources))]
    public void TheSiteSetsNoPropertyFlexConsumptionRefuses(string keySource)
    {
        var site = Site(keySource);
        var siteConfig = (Dictionary<string, object?>)site["properties.siteConfig"]!;

        Assert.Contains("appSettings", siteConfig.Keys);
        Assert.Empty(Refused(siteConfig.Keys, AppSettingNames(site)));
    }

    [Fact]
    public void ARefusedPropertyOrSettingIsCaught() =>
        Assert.Equal(["ftpsState", "AlwaysOn", "FUNCTIONS_WORKER_RUNTIME"], Refused(["minTlsVersion", "ftpsState", "AlwaysOn", "appSettings"], ["ApiKeys__KeySource", "FUNCTIONS_WORKER_RUNTIME"]));

    [Fact]
    public void TheRuntimeAndScaleAreWhereFlexConsumptionReadsThem()
    {
        var site = Site("keyvault");

        Assert.Equal("dotnet-isolated", site["properties.functionAppConfig.runtime.name"]);
        Assert.IsType<long>(site["properties.functionAppConfig.scaleAndConcurrency.maximumInstanceCount"]);
        Assert.Equal("blobContainer", site["properties.functionAppConfig.deployment.storage.type"]);
    }

    [Fact]
    public void DeployMdListsEveryRefusedPropertyAndSettingWithItsSource()
    {
        var doc = File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "docs", "deploy.md"));

        Assert.All(UnsupportedSiteConfig.Keys.Concat(UnsupportedAppSettings.Keys), name => Assert.Contains($"`{name}`", doc, StringComparison.Ordinal));
        Assert.Contains("microsoft/azure-pipelines-tasks#21032", doc, StringComparison.Ordinal);
        Assert.Contains("Azure/terraform-azurerm-avm-res-web-site#345", doc, StringComparison.Ordinal);
    }

    private static List<string> Refused(IEnumerable<string> siteConfig, IEnumerable<string> appSettings) =>
        [.. siteConfig.Where(UnsupportedSiteConfig.ContainsKey), .. appSettings.Where(UnsupportedAppSettings.ContainsKey)];

    private static IEnumerable<string> AppSettingNames(ArmResource site) =>
        ((List<object?>)site["properties.siteConfig.appSettings"]!).Cast<Dictionary<string, object?>>().Select(s => (string)s["name"]!);

    private ArmResource Site(string keySource) =>
        compiled.Deploy(keySource).Single("Microsoft.Web/sites");
}
