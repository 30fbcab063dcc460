using System.Diagnostics;

namespace FunctionApp.Tests;

/// <summary>
/// Runs programs as child processes with an environment on top of this process's own: to completion, with standard input
/// written and closed, returning what it did (<see cref="RunAsync"/>), or alongside the test (<see cref="Start"/>). Either
/// way its process tree is killed if it outlives the timeout, or if the test gives up.
/// </summary>
internal static class ChildProcess
{
    /// <param name="fileName">The program, e.g. <c>dotnet</c>.</param>
    /// <param name="arguments">Its arguments, each passed as one.</param>
    /// <param name="environment">Variables over this process's environment; a null value removes one.</param>
    /// <param name="workingDirectory">Where it runs.</param>
    /// <param name="input">What to write to standard input before closing it; nothing when null.</param>
    /// <param name="timeout">How long it may run.</param>
    /// <exception cref="TimeoutException">It did not finish in time; the message holds what it printed.</exception>
    public static async Task<ProcessRun> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?> environment,
        string workingDirectory,
        string? input,
        TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        await using var child = Start(fileName, arguments, environment, workingDirectory);
        var process = child.Process;
        var output = new StreamCopy(process.StandardOutput);
        var error = new StreamCopy(process.StandardError);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        try
        {
            await child.WaitForExitAsync(timeout);
        }
        catch (TimeoutException ex)
        {
            await child.KillAsync();
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {timeout}:\n{await output.DrainAsync()}\n{await error.DrainAsync()}", ex);
        }

        return new ProcessRun(process.ExitCode, await output.DrainAsync(), await error.DrainAsync(), clock.Elapsed);
    }

    /// <summary>
    /// Starts a program that runs alongside the test (a host, a server), its three standard streams redirected; the caller
    /// reads and writes them, and disposes it, which kills its process tree.
    /// </summary>
    /// <param name="fileName">The program, e.g. <c>dotnet</c>.</param>
    /// <param name="arguments">Its arguments, each passed as one.</param>
    /// <param name="environment">Variables over this process's environment; a null value removes one.</param>
    /// <param name="workingDirectory">Where it runs.</param>
    public static RunningProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, string workingDirectory) =>
        new(Process.Start(StartInfo(fileName, arguments, environment, workingDirectory))!);

    /// <summary>How a program is started: its three standard streams redirected, and the environment given over this process's own.</summary>
    private static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, string workingDirectory)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
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

        return start;
    }
}
