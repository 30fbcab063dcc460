using System.IO.Compression;
using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using FunctionApp.Testing;
using FunctionApp.Tests.EndToEnd;

namespace FunctionApp.Tests.Packaging;

/// <summary>
/// The test host as a .NET tool, <c>func-testhost</c>: packed from this build with nothing of the sample app, installed
/// in an app folder outside the repository by the commands of its README, and serving an app's build output from there
/// with the local.settings.json of the folder it runs in, as func start does.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class TestHostToolTests
{
    private static readonly string Project = Path.Combine("FunctionApp.TestHost", "FunctionApp.TestHost.csproj");

    private static readonly string Readme = Path.Combine("FunctionApp.TestHost", "README.md");

    /// <summary>A worker starts in seconds; this bounds a hang.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task ThePackageHoldsTheHostAsFuncTesthostAndNothingOfTheSampleApp()
    {
        using var app = await AppWithTool.PackAsync(Project, Readme);

        using var package = ZipFile.OpenRead(Assert.Single(Directory.GetFiles(app.Feed, "FunctionsApiKey.TestHost.*.nupkg")));
        var files = package.Entries.Select(e => e.FullName).Where(f => f.StartsWith("tools/", StringComparison.Ordinal)).Select(Path.GetFileName).ToList();
        Assert.Contains("FunctionApp.TestHost.dll", files);
        using (var settings = package.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!.Open())
        {
            var command = XDocument.Load(settings).Descendants("Command").Single();
            Assert.Equal("func-testhost", (string?)command.Attribute("Name"));
            Assert.Equal("FunctionApp.TestHost.dll", (string?)command.Attribute("EntryPoint"));
        }

        Assert.All(
            ["FunctionApp", "FunctionApp.dll", "worker.config.json", "host.json", "functions.metadata", "local.settings.json", "function.deps.json"],
            sample => Assert.DoesNotContain(sample, files));
    }

    [Fact]
    public async Task InstalledInAnAppsFolderItServesTheBuildWithTheLocalSettingsOfThatFolder()
    {
        using var app = await AppWithTool.PackAsync(Project, Readme);

        // A built app where a user's build puts it: this repository's, whose build output holds the sample's settings copy.
        var output = Path.Combine(app.Folder, "bin", "Debug", "net10.0");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        Directory.Move(TestApps.Copy(), output);
        Assert.Contains("local-dev-key-NOT-FOR-PRODUCTION", await File.ReadAllTextAsync(Path.Combine(output, "local.settings.json")), StringComparison.Ordinal);

        // The project folder's own settings, edited since that build.
        var key = TestKeys.NewValue();
        var settings = Path.Combine(app.Folder, "local.settings.json");
        await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(new
        {
            IsEncrypted = false,
            Values = new Dictionary<string, string>
            {
                ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
                ["ApiKeys__Keys__own"] = key,
                ["ApiKeys__PublishSchedule"] = "0 0 0 1 1 *",
            },
        }));

        (await app.RunAsync("dotnet new tool-manifest")).AssertExitCode(0);
        (await app.RunAsync("dotnet tool install FunctionsApiKey.TestHost --add-source $feed")).AssertExitCode(0);
        var log = new LogCapture();
        await using var host = app.Start("dotnet func-testhost --app bin/Debug/net10.0", "--port 0", log);
        var listening = await log.WaitForAsync(l => l.StartsWith("[host] Listening on ", StringComparison.Ordinal), StartTimeout);
        Assert.Contains($"[host] Settings from {settings}", log.Lines);
        using (var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(listening.Split(' ')[3]) })
        {
            using var allowed = await client.SendAsync(SecureEndpoint.Request(key));
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            Assert.Equal("""{"message":"You have access!"}""", await allowed.Content.ReadAsStringAsync());

            // The build output's copy is not read at all, so a key deleted from the project's settings is gone.
            using var copyOnly = await client.SendAsync(SecureEndpoint.Request("local-dev-key-NOT-FOR-PRODUCTION"));
            Assert.Equal(HttpStatusCode.Unauthorized, copyOnly.StatusCode);
        }

        await host.TerminateAsync();
        await host.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, host.Process.ExitCode);
    }
}
