using System.Reflection;
using FunctionApp.Telemetry;
using FunctionsApiKey;
using FunctionsApiKey.KeyVault;
using FunctionsApiKey.LastUse;
using FunctionsApiKey.Redis;
using FunctionsApiKey.SharedRing;

namespace FunctionApp.Tests.Infrastructure;

/// <summary>
/// Every app setting the template writes is one that the app or the Functions platform reads, so a renamed option or a
/// typo cannot leave a setting that silently does nothing; and each key mode gets the settings it needs. The app's own
/// names come from its options classes, not from a copied list.
/// </summary>
public sealed class AppSettingsTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    /// <summary>
    /// The options classes bound from the <c>ApiKeys</c> section: <c>ApiKeys__&lt;Property&gt;</c> is a setting the app reads
    /// when <c>Property</c> is a settable property of one of them. A new options class joins this list, and nothing else
    /// here changes.
    /// </summary>
    internal static readonly Type[] ApiKeysOptionsTypes = [typeof(ApiKeyOptions), typeof(KeyVaultApiKeyOptions), typeof(SharedRingOptions), typeof(LastUseOptions), typeof(RedisRateLimitOptions)];

    /// <summary>The sections under <c>ApiKeys</c> that an options class is bound from, when not the section itself.</summary>
    private static readonly Dictionary<Type, string> OptionsSubsections = new()
    {
        [typeof(RedisRateLimitOptions)] = RedisRateLimitDefaults.SectionName[(ApiKeyDefaults.SectionName.Length + 1)..] + "__",
    };

    /// <summary>Settings of the <c>ApiKeys</c> section that no options class holds, and who reads each.</summary>
    private static readonly Dictionary<string, string> ApiKeysSettingsOutsideOptions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Credential"] = "AddKeyVault's vault client: AzureComponentFactory.CreateTokenCredential(the ApiKeys section), the Microsoft.Extensions.Azure convention",
        ["ClientId"] = "the same credential: which user-assigned identity managedidentity means",
        ["Redis__Credential"] = "AddRedisRateLimits' token for Azure Managed Redis: AzureComponentFactory.CreateTokenCredential(the ApiKeys:Redis section)",
        ["Redis__ClientId"] = "the same credential: the app's user-assigned identity, which the store's access policy is assigned to",
    };

    /// <summary>Settings the Functions host or platform reads rather than the app's options, and why the template writes each.</summary>
    private static readonly Dictionary<string, string> PlatformSettings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["AzureWebJobsStorage__blobServiceUri"] = "the host's storage by identity (timer locks, its keys); also the shared ring's, through ApiKeys:RingConnection (default AzureWebJobsStorage) in RingStorageClient",
        ["AzureWebJobsStorage__tableServiceUri"] = "the last-use table's, through ApiKeys:LastUseConnection (default AzureWebJobsStorage)",
        ["AzureWebJobsStorage__credential"] = "managedidentity for the host's connection, and for the ring's (RingStorageClient's credential comes from the same section)",
        ["AzureWebJobsStorage__clientId"] = "the user-assigned identity of that connection",
        ["AzureWebJobsDisableHomepage"] = "the host's home page at / (docs/configuration.md): off, so / is the tutorial's root function",
    };

    /// <summary>The settings the worker's telemetry reads (FunctionApp/Telemetry).</summary>
    private static readonly string[] TelemetrySettings = [WorkerTelemetry.ConnectionStringSetting, WorkerTelemetry.AuthenticationStringSetting];

    public static TheoryData<string> KeySources => ["settings", "keyvault", "sharedring"];

    [Theory]
    [MemberData(nameof(KeySources))]
    public void EverySettingTheTemplateWritesIsOneTheAppOrThePlatformReads(string keySource)
    {
        var settings = AppSettings(keySource);

        Assert.True(settings.Count >= 9, $"Expected the template's settings, got {settings.Count}.");
        Assert.Empty(Unread(settings.Keys));
    }

    [Theory]
    [MemberData(nameof(KeySources))]
    public void WithTheRateLimitStoreEverySettingIsStillOneTheAppOrThePlatformReads(string keySource)
    {
        var settings = AppSettings(compiled.Deploy(keySource, new() { ["rateLimitStoreEnabled"] = true }));

        Assert.Contains("ApiKeys__Redis__Endpoint", settings.Keys);
        Assert.Empty(Unread(settings.Keys));
    }

    [Fact]
    public void AMisspeltOrUnknownSettingIsCaught() =>
        Assert.Equal(["ApiKeys__RingPollIntervall", "ApiKeys__Keys__dev", "FUNCTIONS_WORKER_RUNTIME", "ApiKeys__Redis__Endpoints"], Unread(["ApiKeys__RingPollInterval", "ApiKeys__RingPollIntervall", "ApiKeys__Keys__dev", "FUNCTIONS_WORKER_RUNTIME", "ApiKeys__ClientId", "ApiKeys__Redis__Endpoint", "ApiKeys__Redis__Endpoints"]));

    [Theory]
    [MemberData(nameof(KeySources))]
    public void NoSecretIsWrittenAndNothingThatFlexConsumptionRejects(string keySource)
    {
        var settings = AppSettings(keySource);

        // On Flex Consumption the runtime is functionAppConfig.runtime; these two are not app settings there.
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", settings.Keys);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", settings.Keys);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.DoesNotContain(settings, s => s.Value.Contains("AccountKey=", StringComparison.OrdinalIgnoreCase) || s.Value.Contains("SharedAccessSignature", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("ApiKeys__Keys__", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [MemberData(nameof(KeySources))]
    public void StorageAndTelemetryAreReachedByTheAppsUserAssignedIdentity(string keySource)
    {
        var settings = AppSettings(keySource);
        var clientId = $"{{reference(Microsoft.ManagedIdentity/userAssignedIdentities/{Identity()}).clientId}}";

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal(clientId, settings["AzureWebJobsStorage__clientId"]);
        Assert.EndsWith(".primaryEndpoints.blob}", settings["AzureWebJobsStorage__blobServiceUri"], StringComparison.Ordinal);
        Assert.EndsWith(".primaryEndpoints.table}", settings["AzureWebJobsStorage__tableServiceUri"], StringComparison.Ordinal);
        Assert.EndsWith(".ConnectionString}", settings[WorkerTelemetry.ConnectionStringSetting], StringComparison.Ordinal);
        Assert.Equal(new ApplicationInsightsAuthentication(true, clientId), ApplicationInsightsAuthentication.Parse(settings[WorkerTelemetry.AuthenticationStringSetting]));
        Assert.Equal("true", settings["AzureWebJobsDisableHomepage"]);
    }

    [Fact]
    public void KeysInSettingsNeedNoVaultAndThePublisherRunsOnceAYear()
    {
        var settings = AppSettings("settings");

        Assert.Equal("settings", settings["ApiKeys__KeySource"]);
        Assert.Equal("0 0 0 1 1 *", settings["ApiKeys__PublishSchedule"]);
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("ApiKeys__KeyVault", StringComparison.Ordinal) || k.StartsWith("ApiKeys__Ring", StringComparison.Ordinal));
    }

    [Fact]
    public void KeysInTheVaultAreReadFromThisDeploymentsVaultByTheUserAssignedIdentity()
    {
        var settings = AppSettings("keyvault");

        Assert.Equal("keyvault", settings["ApiKeys__KeySource"]);
        Assert.Equal($"{{reference(Microsoft.KeyVault/vaults/{Single("Microsoft.KeyVault/vaults").Name}).vaultUri}}", settings["ApiKeys__KeyVaultUri"]);
        Assert.Equal("managedidentity", settings["ApiKeys__Credential"]);
        Assert.Equal($"{{reference(Microsoft.ManagedIdentity/userAssignedIdentities/{Identity()}).clientId}}", settings["ApiKeys__ClientId"]);
        Assert.Equal("0 0 0 1 1 *", settings["ApiKeys__PublishSchedule"]);
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("ApiKeys__Ring", StringComparison.Ordinal));
    }

    [Fact]
    public void TheSharedRingGetsItsVerificationKeysScheduleAndTheContainerItsRoleIsOn()
    {
        var deployment = compiled.Template.For(new() { ["environmentName"] = "test", ["keySource"] = "sharedring", ["ringVerificationKeys"] = "MFkw-first MFkw-second", ["publishSchedule"] = "*/30 * * * * *" });
        var settings = AppSettings(deployment);
        var ringContainer = deployment.Resources
            .Where(r => r.Type == "Microsoft.Authorization/roleAssignments" && r.Scope!.Type.EndsWith("/containers", StringComparison.Ordinal))
            .Select(r => r.Scope!.Name).Distinct().Single();

        Assert.Equal("sharedring", settings["ApiKeys__KeySource"]);
        Assert.Equal("MFkw-first MFkw-second", settings["ApiKeys__RingVerificationKeys"]);
        Assert.Equal("*/30 * * * * *", settings["ApiKeys__PublishSchedule"]);
        Assert.Equal(ringContainer, settings["ApiKeys__RingContainer"]);
        Assert.Contains("ApiKeys__KeyVaultUri", settings.Keys);
    }

    [Fact]
    public void TheSharedRingsTimerRunsOnceAMinuteByDefaultAsTheSafetyNetForChangesMadeOutsideTheTool() =>
        Assert.Equal("0 * * * * *", AppSettings(compiled.Template.For(new() { ["environmentName"] = "test", ["keySource"] = "sharedring", ["ringVerificationKeys"] = "MFkw-first" }))["ApiKeys__PublishSchedule"]);

    [Theory]
    [MemberData(nameof(KeySources))]
    public void LastUseGoesToTheTableTheAppsRoleIsOn(string keySource)
    {
        var deployment = compiled.Deploy(keySource);
        var tableRoles = deployment.Resources.Where(r => r.Type == "Microsoft.Authorization/roleAssignments" && r.Scope!.Type.EndsWith("/tables", StringComparison.Ordinal));

        Assert.All(tableRoles, role => Assert.Equal(role.Scope!.Name, AppSettings(deployment)["ApiKeys__LastUseTable"]));
        Assert.NotEmpty(tableRoles);
    }

    /// <summary>The settings among <paramref name="names"/> that neither the app nor the platform reads.</summary>
    private static List<string> Unread(IEnumerable<string> names)
    {
        var prefix = ApiKeyDefaults.SectionName + "__";
        var optionProperties = ApiKeysOptionsTypes
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.SetMethod?.IsPublic == true)
                .Select(p => OptionsSubsections.GetValueOrDefault(t, "") + p.Name))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        return [.. names.Where(name => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
            ? !optionProperties.Contains(name[prefix.Length..]) && !ApiKeysSettingsOutsideOptions.ContainsKey(name[prefix.Length..])
            : !PlatformSettings.ContainsKey(name) && !TelemetrySettings.Contains(name, StringComparer.OrdinalIgnoreCase))];
    }

    private Dictionary<string, string> AppSettings(string keySource) =>
        AppSettings(compiled.Deploy(keySource));

    /// <summary>The app settings as the site receives them: name and value, values known only while deploying shown as {source}.</summary>
    internal static Dictionary<string, string> AppSettings(ArmDeployment deployment) =>
        ((List<object?>)deployment.Single("Microsoft.Web/sites")["properties.siteConfig.appSettings"]!)
            .Cast<Dictionary<string, object?>>()
            .ToDictionary(s => (string)s["name"]!, s => s["value"]!.ToString()!, StringComparer.OrdinalIgnoreCase);

    private string Identity() => Single("Microsoft.ManagedIdentity/userAssignedIdentities").Name;

    private ArmResource Single(string type) => compiled.Template.For(new() { ["environmentName"] = "test" }).Single(type);
}
