using System.Diagnostics;
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
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(Directory, "FunctionApp.AzureProbe.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        try
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            return new ProbeResult(process.ExitCode, (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), await error);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}

/// <summary>The probe's exit code, the lines it printed, and its error output.</summary>
internal sealed record ProbeResult(int ExitCode, IReadOnlyList<string> Lines, string Error);
