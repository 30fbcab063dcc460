using System.Reflection;

namespace FunctionApp.Tests.Infrastructure;

/// <summary>
/// The Bicep CLI from the <c>Azure.Bicep.CommandLine.linux-x64</c> package that restore brings (see the test project), run
/// on the repository's <c>infra/</c>. It needs no network: the template uses no registry modules.
/// </summary>
internal static class BicepCli
{
    public static string RepositoryRoot { get; } = Metadata("RepositoryRoot");

    public static string MainTemplate { get; } = Path.Combine(RepositoryRoot, "infra", "main.bicep");

    public static async Task<ProcessRun> RunAsync(params string[] arguments)
    {
        var executable = Metadata("BicepExecutable");
        if (!File.Exists(executable))
        {
            throw new FileNotFoundException($"The Bicep CLI is not at {executable}; restore the test project (dotnet restore) to fetch Azure.Bicep.CommandLine.linux-x64.", executable);
        }

        // A package extracted without its execute bit (some NuGet clients drop it) would still run once marked.
        if (!OperatingSystem.IsWindows() && !File.GetUnixFileMode(executable).HasFlag(UnixFileMode.UserExecute))
        {
            File.SetUnixFileMode(executable, File.GetUnixFileMode(executable) | UnixFileMode.UserExecute);
        }

        return await ChildProcess.RunAsync(executable, arguments, new Dictionary<string, string?>(), RepositoryRoot, input: null, TimeSpan.FromMinutes(2));
    }

    private static string Metadata(string key) =>
        typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
