using System.Reflection;

namespace FunctionApp.Tests.Storage;

/// <summary>
/// Runs FunctionApp.AzureProbe with an environment on top of this process's own, as the test host runs the worker,
/// and returns what it printed. Its process tree is killed if it has not finished within the timeout.
/// </summary>
internal static class AzureProbe
{
    private static readonly string Directory =
        typeof(AzureProbe).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "AzureProbeDirectory").Value!;

    public static async Task<ProbeResult> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var run = await ChildProcess.RunAsync(
            "dotnet", [Path.Combine(Directory, "FunctionApp.AzureProbe.dll"), .. arguments], environment, Environment.CurrentDirectory, input: null, TimeSpan.FromSeconds(60));
        return new ProbeResult(run.ExitCode, run.OutputLines, run.Error);
    }
}

/// <summary>The probe's exit code, the lines it printed, and its error output.</summary>
internal sealed record ProbeResult(int ExitCode, IReadOnlyList<string> Lines, string Error);
