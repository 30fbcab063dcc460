using System.Text.Json;
using FunctionApp.TestHost;
using FunctionApp.TestHost.Singleton;

namespace FunctionApp.Tests.TestHost;

/// <summary>
/// The listener lease's timings and the host id, read as the host reads its <c>SingletonOptions</c> (host.json's
/// <c>singleton</c> section, <c>AzureFunctionsJobHost__singleton__…</c>) and its host id (<c>AzureFunctionsWebHost__hostid</c>).
/// </summary>
public sealed class ListenerLeaseSettingsTests
{
    [Fact]
    public void WithoutSettingsTheLeaseLasts60SecondsAndIsRetriedEveryMinute()
    {
        var settings = SingletonSettings.Read(null, new Dictionary<string, string>());

        Assert.Equal(TimeSpan.FromSeconds(60), settings.ListenerLockPeriod);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.ListenerLockRecoveryPollingInterval);
    }

    [Fact]
    public void HostJsonSetsTheTimingsAndTheEnvironmentOverridesThemIgnoringCase()
    {
        using var hostJson = JsonDocument.Parse("""{ "singleton": { "listenerLockPeriod": "00:00:20", "listenerLockRecoveryPollingInterval": "00:00:30" } }""");

        var fromHostJson = SingletonSettings.Read(hostJson, new Dictionary<string, string>());
        var overridden = SingletonSettings.Read(hostJson, new Dictionary<string, string> { ["azurefunctionsjobhost__singleton__LISTENERLOCKPERIOD"] = "00:00:15" });

        Assert.Equal(new SingletonSettings(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30)), fromHostJson);
        Assert.Equal(new SingletonSettings(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30)), overridden);
    }

    [Theory]
    [InlineData("AzureFunctionsJobHost__singleton__listenerLockPeriod", "00:00:14", "listenerLockPeriod")]
    [InlineData("AzureFunctionsJobHost__singleton__listenerLockPeriod", "00:01:01", "listenerLockPeriod")]
    [InlineData("AzureFunctionsJobHost__singleton__listenerLockPeriod", "soon", "listenerLockPeriod")]
    [InlineData("AzureFunctionsJobHost__singleton__listenerLockRecoveryPollingInterval", "00:00:05", "listenerLockRecoveryPollingInterval")]
    public void TimingsTheHostRefusesFailTheStartNamingTheSetting(string name, string value, string setting)
    {
        var error = Assert.Throws<InvalidOperationException>(() => SingletonSettings.Read(null, new Dictionary<string, string> { [name] = value }));

        Assert.Contains("singleton." + setting, error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheHostIdSettingWinsAsWritten()
    {
        var id = HostId.Read(new Dictionary<string, string> { ["AzureFunctionsWebHost__hostid"] = "My-App-Id", ["WEBSITE_INSTANCE_ID"] = "x", ["WEBSITE_SITE_NAME"] = "site" }, "/app");

        Assert.Equal("My-App-Id", id);
    }

    [Fact]
    public void InAppServiceTheHostIdIsTheSiteAndSlotLowerCasedAndCutTo32Characters()
    {
        var production = HostId.Read(new Dictionary<string, string> { ["WEBSITE_INSTANCE_ID"] = "abc", ["WEBSITE_SITE_NAME"] = "My-Func-App" }, "/a");
        var staging = HostId.Read(new Dictionary<string, string> { ["WEBSITE_INSTANCE_ID"] = "abc", ["WEBSITE_SITE_NAME"] = "My-Func-App", ["WEBSITE_SLOT_NAME"] = "staging" }, "/b");
        var longName = HostId.Read(new Dictionary<string, string> { ["WEBSITE_INSTANCE_ID"] = "abc", ["WEBSITE_SITE_NAME"] = "a-very-long-function-app-name-xx-yyy" }, "/c");

        Assert.Equal("my-func-app", production);
        Assert.Equal("my-func-app-staging", staging);
        Assert.Equal("a-very-long-function-app-name-xx", longName);
    }

    [Fact]
    public void LocallyInstancesOfOneAppFolderShareAHostIdAndAnotherFolderGetsAnother()
    {
        var first = HostId.Read(new Dictionary<string, string>(), "/work/app/bin");
        var second = HostId.Read(new Dictionary<string, string>(), "/work/app/bin/");
        var other = HostId.Read(new Dictionary<string, string>(), "/work/other/bin");

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        var machine = string.Concat(Environment.MachineName.Where(char.IsLetterOrDigit)).ToLowerInvariant();
        Assert.StartsWith(machine.Length >= 31 ? machine[..31] : machine + "-", first, StringComparison.Ordinal);
        Assert.True(first.Length <= 32);
        Assert.Equal(first.ToLowerInvariant(), first);
    }
}
