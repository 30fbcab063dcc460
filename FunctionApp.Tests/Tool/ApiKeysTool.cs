using System.Reflection;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// Runs the built <c>dotnet apikeys</c> (<c>dotnet FunctionsApiKey.Tool.dll</c>) as a user runs it: a child process with
/// the given environment, in an empty working folder of its own so that no local.settings.json is found by accident.
/// </summary>
internal static class ApiKeysTool
{
    /// <summary>Bounds a hung run, not a slow one: every command the tests run finishes in a few seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The built tool's assembly.</summary>
    public static readonly string Dll = Path.Combine(
        typeof(ApiKeysTool).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ApiKeysToolDirectory").Value!,
        "FunctionsApiKey.Tool.dll");

    /// <summary>
    /// The app settings the tool reads from the environment, removed so that nothing of this process's environment
    /// decides a test: add what the test means to set.
    /// </summary>
    public static Dictionary<string, string?> CleanEnvironment() => new()
    {
        ["ApiKeys__KeyVaultUri"] = null,
        ["ApiKeys__SecretPrefix"] = null,
        ["ApiKeys__KeyPrefix"] = null,
        ["ApiKeys__LastUseConnection"] = null,
        ["ApiKeys__LastUseTable"] = null,
        ["AzureWebJobsStorage"] = null,
    };

    /// <param name="environment">Variables over this process's environment; a null value removes one.</param>
    /// <param name="arguments">The command line after <c>dotnet apikeys</c>.</param>
    /// <param name="input">What to write to standard input before closing it; nothing when null.</param>
    /// <param name="timeout">How long it may run; <see cref="DefaultTimeout"/> when null.</param>
    public static async Task<ProcessRun> RunAsync(IReadOnlyDictionary<string, string?> environment, string[] arguments, string? input = null, TimeSpan? timeout = null)
    {
        var workingDirectory = Directory.CreateTempSubdirectory("apikeys-cwd-").FullName;
        try
        {
            return await ChildProcess.RunAsync("dotnet", [Dll, .. arguments], environment, workingDirectory, input, timeout ?? DefaultTimeout);
        }
        finally
        {
            Directory.Delete(workingDirectory, recursive: true);
        }
    }

    /// <summary>
    /// Runs the tool with its standard output a pipe whose reading end is closed at once, as when the program it is piped
    /// into has gone: every write to standard output fails. Returns the exit code and standard error.
    /// </summary>
    /// <param name="environment">Variables over this process's environment; a null value removes one.</param>
    /// <param name="arguments">The command line after <c>dotnet apikeys</c>.</param>
    public static async Task<(int ExitCode, string Error)> RunWithStandardOutputClosedAsync(IReadOnlyDictionary<string, string?> environment, string[] arguments)
    {
        var workingDirectory = Directory.CreateTempSubdirectory("apikeys-cwd-").FullName;
        try
        {
            await using var tool = ChildProcess.Start("dotnet", [Dll, .. arguments], environment, workingDirectory);
            var process = tool.Process;
            process.StandardOutput.Close();
            process.StandardInput.Close();
            var error = process.StandardError.ReadToEndAsync();
            await tool.WaitForExitAsync(DefaultTimeout);
            return (process.ExitCode, await error);
        }
        finally
        {
            Directory.Delete(workingDirectory, recursive: true);
        }
    }
}
