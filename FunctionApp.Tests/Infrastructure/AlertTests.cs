using FunctionsApiKey;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.SharedRing;

namespace FunctionApp.Tests.Infrastructure;

/// <summary>
/// The alerts: none without <c>alertEmail</c>; with it, an email action group and one log search rule per condition
/// docs/monitoring.md names, each reading what the packages really emit (checked against <see cref="TelemetryContract"/>,
/// so a renamed instrument, tag or event breaks this build rather than silencing an alert).
/// </summary>
public sealed class AlertTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    private const string Email = "ops@example.com";

    [Fact]
    public void WithoutAnEmailThereIsNoActionGroupAndNoRule()
    {
        var types = compiled.Deploy("sharedring").Resources.Select(r => r.Type).ToList();

        Assert.DoesNotContain("Microsoft.Insights/actionGroups", types);
        Assert.DoesNotContain("Microsoft.Insights/scheduledQueryRules", types);
    }

    [Fact]
    public void EveryRuleMailsTheGroupAndWatchesThisApplicationInsights()
    {
        var deployment = compiled.Deploy("sharedring", new() { ["alertEmail"] = Email });
        var group = deployment.Single("Microsoft.Insights/actionGroups");
        var insights = deployment.Single("Microsoft.Insights/components");

        Assert.Equal(Email, ((Dictionary<string, object?>)((List<object?>)group["properties.emailReceivers"]!).Single()!)["emailAddress"]);
        Assert.True(((string)group["properties.groupShortName"]!).Length <= 12);
        Assert.All(Rules(deployment).Values, rule =>
        {
            Assert.Equal(group.Name, ((ArmResourceId)((List<object?>)rule["properties.actions.actionGroups"]!).Single()!).Name);
            Assert.Equal(insights.Name, ((ArmResourceId)((List<object?>)rule["properties.scopes"]!).Single()!).Name);
            Assert.Equal(true, rule["properties.enabled"]);
            Assert.Equal("GreaterThan", Criterion(rule)["operator"]);
        });
    }

    [Fact]
    public void TheRingsRulesComeOnlyWithTheSharedRing()
    {
        Assert.Equal(["key-denial-surge", "keyring-old", "keys-unavailable"], Rules(compiled.Deploy("keyvault", new() { ["alertEmail"] = Email })).Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["key-denial-surge", "keyring-old", "keys-unavailable", "ring-refused", "ring-stale-or-unpublished"], Rules(SharedRing()).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryRuleReadsOnlyWhatThePackagesEmit() =>
        Assert.All(Rules(SharedRing()), rule => Assert.Empty(QueryNames.Unknown(Query(rule.Value))));

    [Fact]
    public void ARefusedRingAlertsAtTheFirstOne()
    {
        var rule = Rules(SharedRing())["ring-refused"];

        Assert.Equal(["apikey.ring.refused"], QueryNames.Of(Query(rule)).Instruments);
        Assert.Equal(0L, Criterion(rule)["threshold"]);
    }

    [Fact]
    public void AStaleRingOrAFailedPublishAlertsByTheirEventIds()
    {
        var names = QueryNames.Of(Query(Rules(SharedRing())["ring-stale-or-unpublished"]));

        Assert.Equal([TelemetryContract.Event("RingStale").Id, TelemetryContract.Event("RingPublishFailed").Id], names.EventIds);
        Assert.Equal([SharedRingDefaults.LogCategory], names.Categories);
    }

    [Fact]
    public void KeysUnavailableAlertsOnTheFirst503()
    {
        var rule = Rules(SharedRing())["keys-unavailable"];

        Assert.Equal(["apikey.decisions"], QueryNames.Of(Query(rule)).Instruments);
        Assert.Contains($"['apikey.outcome']) == '{TelemetryContract.Outcome(ApiKeyOutcome.KeysUnavailable)}'", Query(rule), StringComparison.Ordinal);
        Assert.Equal(0L, Criterion(rule)["threshold"]);
    }

    [Fact]
    public void AnOldKeyRingAlertsAtHalfOfMaxKeyRingAge()
    {
        var deployment = SharedRing();
        var rule = Rules(deployment)["keyring-old"];
        var settings = ((List<object?>)deployment.Single("Microsoft.Web/sites")["properties.siteConfig.appSettings"]!).Cast<Dictionary<string, object?>>().Select(s => (string)s["name"]!);

        Assert.Equal(["apikey.keyring.age"], QueryNames.Of(Query(rule)).Instruments);
        Assert.Equal((long)(new ApiKeyOptions().MaxKeyRingAge.TotalSeconds / 2), Criterion(rule)["threshold"]);
        Assert.Equal("Maximum", Criterion(rule)["timeAggregation"]);
        // The threshold follows the app's default because the template leaves MaxKeyRingAge alone.
        Assert.DoesNotContain($"{ApiKeyDefaults.SectionName}__{nameof(ApiKeyOptions.MaxKeyRingAge)}", settings);
    }

    [Fact]
    public void ASurgeOfDenialsAlertsPerKey()
    {
        var rule = Rules(compiled.Deploy("keyvault", new() { ["alertEmail"] = Email, ["keyDenialSurgeThreshold"] = 250L }))["key-denial-surge"];
        var criterion = Criterion(rule);

        Assert.Equal(["apikey.decisions"], QueryNames.Of(Query(rule)).Instruments);
        Assert.Contains($"['apikey.outcome']) != '{TelemetryContract.Outcome(ApiKeyOutcome.Allowed)}'", Query(rule), StringComparison.Ordinal);
        Assert.Contains("by key = tostring(customDimensions['apikey.name'])", Query(rule), StringComparison.Ordinal);
        Assert.Equal("key", ((Dictionary<string, object?>)((List<object?>)criterion["dimensions"]!).Single()!)["name"]);
        Assert.Equal(250L, criterion["threshold"]);
    }

    [Fact]
    public void MonitoringMdDescribesEveryRule()
    {
        var doc = File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "docs", "monitoring.md"));

        Assert.All(Rules(SharedRing()).Values, rule => Assert.Contains($"| {((string)rule["properties.displayName"]!)["API keys: ".Length..]} |", doc, StringComparison.Ordinal));
    }

    private ArmDeployment SharedRing() => compiled.Deploy("sharedring", new() { ["alertEmail"] = Email });

    /// <summary>The rules by their id, the part of the name between <c>apikey-</c> and the token.</summary>
    private static Dictionary<string, ArmResource> Rules(ArmDeployment deployment) =>
        deployment.Resources.Where(r => r.Type == "Microsoft.Insights/scheduledQueryRules")
            .ToDictionary(r => r.Name["apikey-".Length..r.Name.LastIndexOf('-')], StringComparer.Ordinal);

    private static Dictionary<string, object?> Criterion(ArmResource rule) =>
        (Dictionary<string, object?>)((List<object?>)rule["properties.criteria.allOf"]!).Single()!;

    private static string Query(ArmResource rule) => (string)Criterion(rule)["query"]!;
}
