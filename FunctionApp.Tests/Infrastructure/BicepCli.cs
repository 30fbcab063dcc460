using System.Diagnostics;
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

    public static async Task<BicepRun> RunAsync(params string[] arguments)
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

        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryRoot };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within 2 minutes.");
        }

        return new BicepRun(process.ExitCode, await output, await error);
    }

    private static string Metadata(string key) =>
        typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}

/// <summary>One run of the Bicep CLI: its exit code and what it wrote.</summary>
internal sealed record BicepRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit code {ExitCode}\n{Output}\n{Error}".TrimEnd();
}
