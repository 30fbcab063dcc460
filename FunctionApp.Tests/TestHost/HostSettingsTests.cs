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

    [Fact]
    public void WithoutAFunctionTimeoutTheLimitIs30MinutesAsUnderFuncStart()
    {
        var settings = Load("""{ "version": "2.0" }""");

        Assert.Equal(TimeSpan.FromMinutes(30), settings.FunctionTimeout);
    }

    [Theory]
    [InlineData("\"-1\"")]
    [InlineData("-1")]
    [InlineData("\"-1.00:00:00\"")]
    public void AFunctionTimeoutOfMinusOneMeansNoLimit(string value)
    {
        var settings = Load($$"""{ "version": "2.0", "functionTimeout": {{value}} }""");

        Assert.Null(settings.FunctionTimeout);
    }

    [Fact]
    public void TheFunctionTimeoutIsReadFromHostJsonAndItsSettingOverridesIt()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), Load("""{ "version": "2.0", "functionTimeout": "00:00:01" }""").FunctionTimeout);
        Assert.Equal(TimeSpan.FromHours(2), Load("""{ "version": "2.0", "functionTimeout": "00:00:01" }""", ("AzureFunctionsJobHost__functionTimeout", "02:00:00")).FunctionTimeout);
    }

    [Theory]
    [InlineData("00:00:00.5")]
    [InlineData("00:00:00")]
    [InlineData("-00:00:05")]
    [InlineData("five minutes")]
    public void AFunctionTimeoutTheHostRefusesFailsTheStartNamingTheSetting(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Load($$"""{ "version": "2.0", "functionTimeout": "{{value}}" }"""));

        Assert.Contains("functionTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    private HostSettings Load(string hostJson, params (string Name, string? Value)[] environment)
    {
        File.WriteAllText(Path.Combine(_app, "host.json"), hostJson);

        // Whatever the machine running the tests sets, only host.json and the test's own settings count.
        var overrides = new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost__extensions__http__routePrefix"] = null,
            ["AzureFunctionsJobHost__functionTimeout"] = null,
        };
        foreach (var (name, value) in environment)
        {
            overrides[name] = value;
        }

        return HostSettings.Load(_app, overrides);
    }
}
