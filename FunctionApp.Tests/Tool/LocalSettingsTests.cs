using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using FunctionApp.Testing;
using FunctionsApiKey;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// <c>--local</c>: keys in the <c>Values</c> of a local.settings.json, written as the app reads them, with the rest of
/// the file kept; a missing or malformed file is exit 9 and is left as it was.
/// </summary>
public sealed class LocalSettingsTests : IDisposable
{
    private const string Settings = """
        {
          "IsEncrypted": false,
          "Values": {
            "FUNCTIONS_WORKER_RUNTIME": "dotnet-isolated",
            "AzureWebJobsStorage": "UseDevelopmentStorage=true",
            "MyApp__Greeting": "héllo <world> & \"friends\"",
            "ApiKeys__Keys__existing": "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "ApiKeys__Keys__existing__Scopes": "reports"
          },
          "Host": { "LocalHttpPort": 7072, "CORS": "*" },
          "ConnectionStrings": { "Db": "Server=.;Database=app" }
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("apikeys-local-").FullName;

    private string SettingsFile => Path.Combine(_directory, "local.settings.json");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task CreateWithoutScopesWritesTheExplicitStar()
    {
        await File.WriteAllTextAsync(SettingsFile, Settings);

        (await RunAsync("create", "partner-star", "--local", "--settings", SettingsFile)).AssertExitCode(0);

        var values = JsonNode.Parse(await File.ReadAllTextAsync(SettingsFile))!["Values"]!.AsObject();
        Assert.Equal("*", (string?)values["ApiKeys__Keys__partner-star__Scopes"]);
    }

    [Fact]
    public async Task CreateWritesTheHashAsTheAppReadsItAndKeepsEveryOtherSetting()
    {
        await File.WriteAllTextAsync(SettingsFile, Settings);

        var run = (await RunAsync("create", "partner-g", "--local", "--settings", SettingsFile, "--scopes", "SecureEndpoint", "--expires", "2031-06-30")).AssertExitCode(0);

        var key = Assert.Single(run.OutputLines);
        Assert.Matches(ToolKeys.IssuedKey(), key);
        var text = await File.ReadAllTextAsync(SettingsFile);
        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        var written = JsonNode.Parse(text)!.AsObject();
        var values = written["Values"]!.AsObject();
        Assert.Equal(TestKeys.Sha256Text(key), (string?)values["ApiKeys__Keys__partner-g"]);
        Assert.Equal("SecureEndpoint", (string?)values["ApiKeys__Keys__partner-g__Scopes"]);
        Assert.Equal("2031-06-30T00:00:00Z", (string?)values["ApiKeys__Keys__partner-g__ExpiresOn"]);

        // Everything that was there is still there, as it was.
        var original = JsonNode.Parse(Settings)!.AsObject();
        foreach (var (name, value) in original["Values"]!.AsObject())
        {
            Assert.True(JsonNode.DeepEquals(value, values[name]), $"Values.{name} changed.");
        }

        Assert.Equal(original.Count, written.Count);
        Assert.Equal(original["Values"]!.AsObject().Count + 3, values.Count);
        foreach (var section in (string[])["IsEncrypted", "Host", "ConnectionStrings"])
        {
            Assert.True(JsonNode.DeepEquals(original[section], written[section]), $"{section} changed.");
        }
    }

    [Fact]
    public async Task ListShowsTheKeysOfTheFile()
    {
        await File.WriteAllTextAsync(SettingsFile, Settings);
        (await RunAsync("create", "partner-h", "--local", "--settings", SettingsFile, "--ttl", "3d")).AssertExitCode(0);

        var run = (await RunAsync("list", "--local", "--settings", SettingsFile)).AssertExitCode(0);

        Assert.Matches(@"^existing\s+reports\s+yes\s", run.Row("existing"));
        Assert.Matches(@"^partner-h\s+\(every function\)\s+yes\s+-\s+\d{4}-\d\d-\d\d \d\d:\d\dZ \(in 2 d\)", run.Row("partner-h"));
        Assert.Contains($"2 key(s) in {SettingsFile}.", run.Error, StringComparison.Ordinal);
        Assert.Contains("Warning: 1 key(s) expire within 14 days: partner-h", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokeSetsEnabledFalseAndVerifyThenRefusesTheKeyAsRevoked()
    {
        await File.WriteAllTextAsync(SettingsFile, Settings);
        var key = Assert.Single((await RunAsync("create", "partner-i", "--local", "--settings", SettingsFile)).AssertExitCode(0).OutputLines);
        (await ApiKeysTool.RunAsync(ApiKeysTool.CleanEnvironment(), ["verify", "--local", "--settings", SettingsFile], key)).AssertExitCode(0);

        var run = (await RunAsync("revoke", "partner-i", "--local", "--settings", SettingsFile)).AssertExitCode(0);

        Assert.Contains($"Revoked 'partner-i' in {SettingsFile}; restart the app to apply it.", run.Error, StringComparison.Ordinal);
        var values = JsonNode.Parse(await File.ReadAllTextAsync(SettingsFile))!["Values"]!.AsObject();
        Assert.Equal("false", (string?)values["ApiKeys__Keys__partner-i__Enabled"]);
        Assert.Equal(TestKeys.Sha256Text(key), (string?)values["ApiKeys__Keys__partner-i"]);
        Assert.Equal("héllo <world> & \"friends\"", (string?)values["MyApp__Greeting"]);

        var verify = (await ApiKeysTool.RunAsync(ApiKeysTool.CleanEnvironment(), ["verify", "--local", "--settings", SettingsFile], key)).AssertExitCode(1);
        Assert.Equal(["Checksum:  valid", "Key:       partner-i", "Accepted:  no: revoked"], verify.OutputLines);
        Assert.Contains("no (revoked)", (await RunAsync("list", "--local", "--settings", SettingsFile)).AssertExitCode(0).Row("partner-i"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RotatingAKeyWithAnEndGivesTheNewKeyAnEndToo()
    {
        // A key in settings has no creation time, so its lifetime cannot be repeated: the new key keeps the old end.
        await File.WriteAllTextAsync(SettingsFile, Settings);
        (await RunAsync("create", "partner-j", "--local", "--settings", SettingsFile, "--expires", "2031-06-30")).AssertExitCode(0);

        (await RunAsync("rotate", "partner-j", "--local", "--settings", SettingsFile, "--overlap", "7d")).AssertExitCode(0);

        var values = JsonNode.Parse(await File.ReadAllTextAsync(SettingsFile))!["Values"]!.AsObject();
        Assert.Equal("2031-06-30T00:00:00Z", (string?)values["ApiKeys__Keys__partner-j-v2__ExpiresOn"]);
        Assert.NotEqual("2031-06-30T00:00:00Z", (string?)values["ApiKeys__Keys__partner-j__ExpiresOn"]);
    }

    [Fact]
    public async Task AKeyTheAppLeavesOutShowsAsLeftOutAndIsRotatedOnlyOnceFixed()
    {
        const string Reason = "ApiKeys:Keys:misspelt:Scope is not a key property; use Scopes, NotBefore, ExpiresOn, Enabled, RateLimit, Quota, Ips, Owner.";
        var key = ApiKeyFormat.Generate();
        var misspelt = Settings.Replace(
            "\"ApiKeys__Keys__existing\"",
            $"\"ApiKeys__Keys__misspelt\": \"{TestKeys.Sha256Text(key)}\", \"ApiKeys__Keys__misspelt__Scope\": \"reports\",\n    \"ApiKeys__Keys__existing\"",
            StringComparison.Ordinal);
        await File.WriteAllTextAsync(SettingsFile, misspelt);

        var show = (await RunAsync("show", "misspelt", "--local", "--settings", SettingsFile)).AssertExitCode(0);
        var list = (await RunAsync("list", "--local", "--settings", SettingsFile)).AssertExitCode(0);
        var verify = (await ApiKeysTool.RunAsync(ApiKeysTool.CleanEnvironment(), ["verify", "--local", "--settings", SettingsFile], key)).AssertExitCode(1);
        var refused = (await RunAsync("rotate", "misspelt", "--local", "--settings", SettingsFile)).AssertExitCode(2);

        Assert.Contains($"left out by the app: {Reason}", string.Join(' ', show.OutputLines.Select(l => l.Trim())), StringComparison.Ordinal);
        Assert.Matches(@"^Scopes\s+-$", show.Row("Scopes"));
        Assert.Matches(@"^misspelt\s+-\s+no \(left out\)\s", list.Row("misspelt"));
        Assert.Contains($"Warning: the app leaves out 'misspelt': {Reason}", list.Error, StringComparison.Ordinal);
        Assert.Equal($"Accepted:  no: the app leaves this key out: {Reason.TrimEnd('.')}", verify.OutputLines[^1]);
        Assert.Empty(refused.Output);
        Assert.Contains($"The app leaves 'misspelt' out: {Reason} Fix that first", refused.Error, StringComparison.Ordinal);
        Assert.Equal(misspelt, await File.ReadAllTextAsync(SettingsFile));

        await File.WriteAllTextAsync(SettingsFile, misspelt.Replace("misspelt__Scope\"", "misspelt__Scopes\"", StringComparison.Ordinal));
        (await RunAsync("rotate", "misspelt", "--local", "--settings", SettingsFile)).AssertExitCode(0);

        var values = JsonNode.Parse(await File.ReadAllTextAsync(SettingsFile))!["Values"]!.AsObject();
        Assert.Equal("reports", (string?)values["ApiKeys__Keys__misspelt-v2__Scopes"]);
    }

    [Fact]
    public async Task ANameTakenInTheFileIsExit4AndTheFileIsUnchanged()
    {
        await File.WriteAllTextAsync(SettingsFile, Settings);

        var run = (await RunAsync("create", "existing", "--local", "--settings", SettingsFile)).AssertExitCode(4);

        Assert.Empty(run.Output);
        Assert.Contains($"A key named 'existing' already exists in {SettingsFile}", run.Error, StringComparison.Ordinal);
        Assert.Equal(Settings, await File.ReadAllTextAsync(SettingsFile));
    }

    [Fact]
    public async Task AMissingSettingsFileIsExit9()
    {
        var run = (await RunAsync("create", "partner-j", "--local", "--settings", SettingsFile)).AssertExitCode(9);

        Assert.Empty(run.Output);
        Assert.Contains($"error: --settings: there is no file {SettingsFile}.", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(SettingsFile));
    }

    [Fact]
    public async Task LocalWithoutASettingsFileHereIsExit9()
    {
        var run = (await RunAsync("list", "--local")).AssertExitCode(9);

        Assert.Contains("--local: there is no local.settings.json here or in ./FunctionApp", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedJsonIsExit9AndTheFileIsLeftAsItWas()
    {
        const string Broken = "{ \"Values\": { \"FUNCTIONS_WORKER_RUNTIME\": \"dotnet-isolated\", ";
        await File.WriteAllTextAsync(SettingsFile, Broken);

        var run = (await RunAsync("create", "partner-k", "--local", "--settings", SettingsFile)).AssertExitCode(9);

        Assert.Empty(run.Output);
        Assert.Contains($"error: {SettingsFile} is not valid JSON:", run.Error, StringComparison.Ordinal);
        Assert.Equal(Broken, await File.ReadAllTextAsync(SettingsFile));
    }

    [Fact]
    public async Task CreateAddsTheKeysSettingsAndChangesNoOtherByte()
    {
        const string Original = "{\n  // local only\n  \"IsEncrypted\": false,\n  \"Values\": {\n    \"FUNCTIONS_WORKER_RUNTIME\":\"dotnet-isolated\",\n    \"MyApp__Greeting\": \"h\\u00e9llo\"\n  },\n  \"Host\": {\"LocalHttpPort\":7072}\n}\n";
        await File.WriteAllTextAsync(SettingsFile, Original);

        var key = Assert.Single((await RunAsync("create", "partner-m", "--local", "--settings", SettingsFile, "--scopes", "reports")).AssertExitCode(0).OutputLines);

        var expected = Original.Replace(
            "\"MyApp__Greeting\": \"h\\u00e9llo\"",
            $"\"MyApp__Greeting\": \"h\\u00e9llo\",\n    \"ApiKeys__Keys__partner-m\": \"{TestKeys.Sha256Text(key)}\",\n    \"ApiKeys__Keys__partner-m__Scopes\": \"reports\"",
            StringComparison.Ordinal);
        Assert.Equal(expected, await File.ReadAllTextAsync(SettingsFile));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")] // Unix file modes.
    public async Task AFileOfMode0600KeepsItsMode()
    {
        await File.WriteAllTextAsync(SettingsFile, Settings);
        File.SetUnixFileMode(SettingsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        (await RunAsync("create", "partner-n", "--local", "--settings", SettingsFile)).AssertExitCode(0);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SettingsFile));
        Assert.Contains("ApiKeys__Keys__partner-n", await File.ReadAllTextAsync(SettingsFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASymlinkStaysALinkAndItsTargetIsUpdated()
    {
        var target = Path.Combine(Directory.CreateDirectory(Path.Combine(_directory, "shared")).FullName, "settings.json");
        await File.WriteAllTextAsync(target, Settings);
        File.CreateSymbolicLink(SettingsFile, target);

        var key = Assert.Single((await RunAsync("create", "partner-o", "--local", "--settings", SettingsFile)).AssertExitCode(0).OutputLines);

        Assert.Equal(target, new FileInfo(SettingsFile).LinkTarget);
        Assert.Equal(TestKeys.Sha256Text(key), (string?)JsonNode.Parse(await File.ReadAllTextAsync(target))!["Values"]!["ApiKeys__Keys__partner-o"]);
        Assert.Equal(["settings.json"], Directory.GetFiles(Path.GetDirectoryName(target)!).Select(Path.GetFileName));
    }

    [Fact]
    public Task InvalidUtf8InAnotherSettingIsExit9AndTheFileIsUntouched() => AssertCreateRefusesAsync(
        [.. System.Text.Encoding.UTF8.GetBytes("{ \"Values\": { \"MyApp__Latin1\": \"caf"), 0xE9, .. System.Text.Encoding.UTF8.GetBytes("\" } }\n")],
        "is not valid UTF-8");

    [Fact]
    public Task ValuesThatIsNotAnObjectIsExit9AndTheFileIsUntouched() => AssertCreateRefusesAsync(
        System.Text.Encoding.UTF8.GetBytes("{ \"Values\": [ \"FUNCTIONS_WORKER_RUNTIME=dotnet-isolated\" ] }"),
        "has a \"Values\" that is not an object");

    [Fact]
    public Task ADuplicatePropertyIsExit9AndTheFileIsUntouched() => AssertCreateRefusesAsync(
        System.Text.Encoding.UTF8.GetBytes("{ \"Values\": { \"MyApp__Mode\": \"a\", \"MyApp__Mode\": \"b\" } }"),
        "has the setting \"MyApp__Mode\" twice in \"Values\"; keep one.");

    [Fact]
    public async Task NamesThatDifferOnlyInCaseAreExit9ForListAndCreateAlike()
    {
        const string Original = "{ \"Values\": { \"ApiKeys__Keys__partner\": \"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\", \"ApiKeys__Keys__PARTNER\": \"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\" } }";
        await File.WriteAllTextAsync(SettingsFile, Original);

        var list = (await RunAsync("list", "--local", "--settings", SettingsFile)).AssertExitCode(9);
        var create = (await RunAsync("create", "partner-s", "--local", "--settings", SettingsFile)).AssertExitCode(9);

        foreach (var run in (ProcessRun[])[list, create])
        {
            Assert.Empty(run.Output);
            Assert.Contains("has the settings \"ApiKeys__Keys__partner\" and \"ApiKeys__Keys__PARTNER\" in \"Values\", which the app reads as one setting", run.Error, StringComparison.Ordinal);
        }

        Assert.Equal(Original, await File.ReadAllTextAsync(SettingsFile));
    }

    /// <summary>Create on a file holding <paramref name="original"/> is exit 9 with <paramref name="problem"/>, and the file keeps every byte.</summary>
    private async Task AssertCreateRefusesAsync(byte[] original, string problem)
    {
        await File.WriteAllBytesAsync(SettingsFile, original);

        var run = (await RunAsync("create", "partner-refused", "--local", "--settings", SettingsFile)).AssertExitCode(9);

        Assert.Empty(run.Output);
        Assert.Contains($"error: {SettingsFile} {problem}", run.Error, StringComparison.Ordinal);
        Assert.Equal(original, await File.ReadAllBytesAsync(SettingsFile));
    }

    private static Task<ProcessRun> RunAsync(params string[] arguments) => ApiKeysTool.RunAsync(ApiKeysTool.CleanEnvironment(), arguments);
}
