using System.Diagnostics;
using System.Reflection;
using FunctionApp.Tests.Packaging;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// The tool as a user gets it: packed from this build, installed by <c>dotnet tool install</c> from that package into
/// a folder of its own (with a package cache of its own, so no machine-wide copy is used or left behind), and run
/// through the <c>dotnet-apikeys</c> command it installs; and installed in an app outside the repository by the
/// commands of its README, word for word.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class ToolPackageTests
{
    /// <summary>Bounds that a hung command hits, not a slow one: the machine is shared and has 2 cores.</summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);

    private static readonly string Project = Path.Combine("src", "FunctionsApiKey.Tool", "FunctionsApiKey.Tool.csproj");

    private static readonly string ToolDirectory =
        typeof(ToolPackageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ApiKeysToolDirectory").Value!;

    [Fact]
    public async Task ThePackageInstallsAsDotnetApikeysWhichAnswersVersionAndHelp()
    {
        var work = Directory.CreateTempSubdirectory("apikeys-package-").FullName;
        try
        {
            // A letter keeps the prerelease label from being a number with a leading zero, which SemVer forbids.
            var version = $"1.0.0-tooltest.g{Guid.NewGuid():N}";
            var feed = Path.Combine(work, "feed");
            await PackageFeed.PackAsync(Project, feed, work, $"-p:PackageVersion={version}");
            Assert.True(File.Exists(Path.Combine(feed, $"FunctionsApiKey.Tool.{version}.nupkg")), $"No FunctionsApiKey.Tool.{version}.nupkg in {feed}.");

            var tools = Path.Combine(work, "tools");
            var isolated = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(work, "packages") };
            var install = await ChildProcess.RunAsync(
                "dotnet", ["tool", "install", "FunctionsApiKey.Tool", "--version", version, "--tool-path", tools, "--add-source", feed], isolated, work, input: null, CommandTimeout);
            install.AssertExitCode(0);
            Assert.Contains($"'functionsapikey.tool' (version '{version}')", install.Output, StringComparison.OrdinalIgnoreCase);

            var command = Path.Combine(tools, "dotnet-apikeys");
            var reported = (await ChildProcess.RunAsync(command, ["--version"], ApiKeysTool.CleanEnvironment(), work, input: null, ApiKeysTool.DefaultTimeout)).AssertExitCode(0);
            Assert.Equal(FileVersionInfo.GetVersionInfo(Path.Combine(ToolDirectory, "FunctionsApiKey.Tool.dll")).ProductVersion, Assert.Single(reported.OutputLines));

            var help = (await ChildProcess.RunAsync(command, ["--help"], ApiKeysTool.CleanEnvironment(), work, input: null, ApiKeysTool.DefaultTimeout)).AssertExitCode(0);
            Assert.Contains("Issue, list, show, rotate, revoke and verify the API keys of a FunctionsApiKey app", help.Output, StringComparison.Ordinal);
            Assert.Contains("Usage:", help.Output, StringComparison.Ordinal);
            foreach (var subcommand in (string[])["create", "list", "show", "revoke", "rotate", "verify"])
            {
                Assert.Matches($@"(?m)^\s+{subcommand}\s", help.Output);
            }

            Assert.Contains("--vault", help.Output, StringComparison.Ordinal);
            Assert.Contains("--local", help.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task TheReadmesCommandsInstallItInAnAppOutsideTheRepositoryWhereItIssuesListsAndVerifiesALocalKey()
    {
        using var app = await AppWithTool.PackAsync(Project, Path.Combine("src", "FunctionsApiKey.Tool", "README.md"));
        // What `func init` writes: no keys, and the storage emulator as the host's storage.
        var settings = Path.Combine(app.Folder, "local.settings.json");
        await File.WriteAllTextAsync(settings, """
            { "IsEncrypted": false, "Values": { "AzureWebJobsStorage": "UseDevelopmentStorage=true", "FUNCTIONS_WORKER_RUNTIME": "dotnet-isolated" } }
            """);

        (await app.RunAsync("dotnet new tool-manifest")).AssertExitCode(0);
        var install = (await app.RunAsync("dotnet tool install FunctionsApiKey.Tool --add-source $feed")).AssertExitCode(0);
        var create = (await app.RunAsync("dotnet apikeys create first-key --local > first-key.key")).AssertExitCode(0);
        var list = (await app.RunAsync("dotnet apikeys list --local")).AssertExitCode(0);
        var verify = (await app.RunAsync("dotnet apikeys verify --local < first-key.key")).AssertExitCode(0);

        Assert.Contains("functionsapikey.tool", install.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("dotnet-apikeys", await File.ReadAllTextAsync(Path.Combine(app.Folder, "dotnet-tools.json")), StringComparison.Ordinal);
        Assert.Contains("Created key 'first-key' in local.settings.json", create.Error, StringComparison.Ordinal);
        var key = (await File.ReadAllTextAsync(Path.Combine(app.Folder, "first-key.key"))).TrimEnd('\n');
        Assert.StartsWith("fnak_", key, StringComparison.Ordinal);
        Assert.DoesNotContain(key, await File.ReadAllTextAsync(settings), StringComparison.Ordinal);
        Assert.Matches(@"^first-key\s+\(every function\)\s+yes\s", list.Row("first-key"));
        Assert.Equal(["Checksum:  valid", "Key:       first-key", "Accepted:  yes, for every function"], verify.OutputLines);

        // The app's settings name no last-use table: not a word about last use, and no attempt at the storage emulator.
        Assert.Equal("1 key(s) in local.settings.json.", list.Error.Trim());
        Assert.Empty(verify.Error);
    }
}
