namespace FunctionApp.Tests.Packaging;

/// <summary>Runs the dotnet CLI as a user would, within a time limit, and leaves no process of it behind (<see cref="ChildProcess"/>).</summary>
internal static class DotnetCli
{
    /// <summary>Runs <c>dotnet <paramref name="arguments"/></c> and returns what it printed.</summary>
    /// <exception cref="TimeoutException">It did not finish within <paramref name="timeout"/>; its process tree was killed.</exception>
    /// <exception cref="InvalidOperationException">It failed; the message holds its output.</exception>
    public static async Task<string> RunAsync(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        // MSBuild nodes and the compiler server would outlive the command, as nobody's child; one-off builds need neither.
        string[] command = [arguments[0], "--disable-build-servers", .. arguments[1..]];
        var run = await ChildProcess.RunAsync("dotnet", command, new Dictionary<string, string?>(), workingDirectory, input: null, timeout);
        return run.ExitCode == 0
            ? run.Output + run.Error
            : throw new InvalidOperationException($"dotnet {string.Join(' ', command)} exited with code {run.ExitCode}:\n{run.Output}\n{run.Error}");
    }
}
