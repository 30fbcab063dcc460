using System.Diagnostics;
using System.Reflection;
using FunctionApp.Tests.Packaging;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// The tool as a user gets it: packed from this build, installed by <c>dotnet tool install</c> from that package into
/// a folder of its own (with a package cache of its own, so no machine-wide copy is used or left behind), and run
/// through the <c>dotnet-apikeys</c> command it installs.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class ToolPackageTests
{
    /// <summary>Bounds that a hung command hits, not a slow one: the machine is shared and has 2 cores.</summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);

    private static readonly string Configuration =
        typeof(ToolPackageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;

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
            await DotnetCli.RunAsync(
                PackageFeed.RepositoryRoot,
                CommandTimeout,
                "pack", Path.Combine("src", "FunctionsApiKey.Tool", "FunctionsApiKey.Tool.csproj"), "--no-build", "-c", Configuration, "-o", feed, $"-p:PackageVersion={version}",
                $"-p:NuspecOutputPath={Path.Combine(work, "nuspec")}{Path.DirectorySeparatorChar}");
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
}
