using System.Diagnostics;
using System.Text;

namespace FunctionApp.Tests.Packaging;

/// <summary>Runs the dotnet CLI as a user would, within a time limit, and leaves no process of it behind.</summary>
internal static class DotnetCli
{
    /// <summary>Runs <c>dotnet <paramref name="arguments"/></c> and returns what it printed.</summary>
    /// <exception cref="TimeoutException">It did not finish within <paramref name="timeout"/>; its process tree was killed.</exception>
    /// <exception cref="InvalidOperationException">It failed; the message holds its output.</exception>
    public static async Task<string> RunAsync(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // MSBuild nodes and the compiler server would outlive the command, as nobody's child; one-off builds need neither.
        start.ArgumentList.Add(arguments[0]);
        start.ArgumentList.Add("--disable-build-servers");
        foreach (var argument in arguments.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        var command = $"dotnet {string.Join(' ', start.ArgumentList)}";
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{command} did not finish within {timeout}:\n{Text(output)}", ex);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        // The parameterless wait also waits for the redirected output to be read to its end.
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? Text(output)
            : throw new InvalidOperationException($"{command} exited with code {process.ExitCode}:\n{Text(output)}");
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
