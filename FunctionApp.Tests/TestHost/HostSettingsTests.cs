using System.Text.Json;
using FunctionApp.TestHost;

namespace FunctionApp.Tests.TestHost;

/// <summary>
/// What the test host reads from host.json, local.settings.json and the environment, as the Functions host and func
/// start read them.
/// </summary>
public sealed class HostSettingsTests : IDisposable
{
    private const string Setting = "HostSettingsTests_Setting";
    private const string CopyOnlySetting = "HostSettingsTests_CopyOnly";

    private readonly string _app = Directory.CreateTempSubdirectory("hostsettings-").FullName;
    private readonly string _project = Directory.CreateTempSubdirectory("hostsettings-project-").FullName;

    public void Dispose()
    {
        Directory.Delete(_app, recursive: true);
        Directory.Delete(_project, recursive: true);
    }

    [Fact]
    public void TheProjectFoldersLocalSettingsAreReadInsteadOfTheBuildOutputsCopy()
    {
        WriteLocalSettings(_app, (Setting, "from the build output"), (CopyOnlySetting, "deleted from the project's file since the build"));
        WriteLocalSettings(_project, (Setting, "from the project folder"));

        var environment = Load("""{ "version": "2.0" }""", _project).WorkerEnvironment;

        Assert.Equal(Path.Combine(_project, "local.settings.json"), HostSettings.LocalSettingsFile(_app, _project));
        Assert.Equal("from the project folder", environment[Setting]);
        Assert.False(environment.ContainsKey(CopyOnlySetting));
    }

    [Fact]
    public void WithoutLocalSettingsInTheProjectFolderTheBuildOutputsCopyIsRead()
    {
        WriteLocalSettings(_app, (Setting, "from the build output"));

        var environment = Load("""{ "version": "2.0" }""", _project).WorkerEnvironment;

        Assert.Equal(Path.Combine(_app, "local.settings.json"), HostSettings.LocalSettingsFile(_app, _project));
        Assert.Equal("from the build output", environment[Setting]);
    }

    [Fact]
    public void AnEditToTheProjectFoldersLocalSettingsIsReadAtTheNextStartWithoutARebuild()
    {
        WriteLocalSettings(_app, (Setting, "built"));
        WriteLocalSettings(_project, (Setting, "built"));
        Assert.Equal("built", Load("""{ "version": "2.0" }""", _project).WorkerEnvironment[Setting]);

        WriteLocalSettings(_project, (Setting, "edited"));

        Assert.Equal("edited", Load("""{ "version": "2.0" }""", _project).WorkerEnvironment[Setting]);
    }

    [Fact]
    public void WithoutAProjectFolderOnlyTheBuildOutputsCopyIsRead()
    {
        WriteLocalSettings(_app, (Setting, "from the build output"));
        WriteLocalSettings(_project, (Setting, "from the project folder"));

        var environment = Load("""{ "version": "2.0" }""").WorkerEnvironment;

        Assert.Equal("from the build output", environment[Setting]);
    }

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

    private static void WriteLocalSettings(string directory, params (string Name, string Value)[] values) =>
        File.WriteAllText(
            Path.Combine(directory, "local.settings.json"),
            JsonSerializer.Serialize(new { IsEncrypted = false, Values = values.ToDictionary(v => v.Name, v => v.Value) }));

    private HostSettings Load(string hostJson, params (string Name, string? Value)[] environment) => Load(hostJson, projectDirectory: null, environment);

    private HostSettings Load(string hostJson, string? projectDirectory, params (string Name, string? Value)[] environment)
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

        return HostSettings.Load(_app, projectDirectory, overrides);
    }
}
