using FunctionApp.TestHost;

namespace FunctionApp.Tests.TestHost;

/// <summary>What the test host reads from host.json and the environment, as the Functions host reads it.</summary>
public sealed class HostSettingsTests : IDisposable
{
    private readonly string _app = Directory.CreateTempSubdirectory("hostsettings-").FullName;

    public void Dispose() => Directory.Delete(_app, recursive: true);

    [Fact]
    public void WithoutARoutePrefixSettingTheDefaultIsApi()
    {
        var settings = Load("""{ "version": "2.0" }""");

        Assert.Equal("api", settings.RoutePrefix);
    }

    [Fact]
    public void TheRoutePrefixIsTakenAsWrittenWithoutTrimming()
    {
        var settings = Load("""{ "version": "2.0", "extensions": { "http": { "routePrefix": "/v1/" } } }""");

        Assert.Equal("/v1/", settings.RoutePrefix);
    }

    [Fact]
    public void TheRoutePrefixSettingOverridesHostJson()
    {
        var settings = Load("""{ "version": "2.0", "extensions": { "http": { "routePrefix": "v1" } } }""", ("AzureFunctionsJobHost__extensions__http__routePrefix", ""));

        Assert.Equal("", settings.RoutePrefix);
    }

    private HostSettings Load(string hostJson, params (string Name, string? Value)[] environment)
    {
        File.WriteAllText(Path.Combine(_app, "host.json"), hostJson);
        return HostSettings.Load(_app, environment.ToDictionary(e => e.Name, e => e.Value));
    }
}
