namespace FunctionApp.Tests;

/// <summary>What one run of a child process did: its exit code, standard output and error, and how long it took.</summary>
internal sealed record ProcessRun(int ExitCode, string Output, string Error, TimeSpan Elapsed)
{
    /// <summary>Standard output's lines, trimmed, without empty ones.</summary>
    public IReadOnlyList<string> OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Fails the test, showing both streams, unless the process exited with <paramref name="expected"/>.</summary>
    public ProcessRun AssertExitCode(int expected)
    {
        if (ExitCode != expected)
        {
            Assert.Fail($"The process exited with {ExitCode}, not {expected}.\nstdout:\n{Output}\nstderr:\n{Error}");
        }

        return this;
    }
}
