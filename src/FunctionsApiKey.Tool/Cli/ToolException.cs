namespace FunctionsApiKey.Tool.Cli;

/// <summary>A failure the user can act on: its message is printed as is, and the process exits with its code.</summary>
internal sealed class ToolException(int exitCode, string message, Exception? innerException = null) : Exception(message, innerException)
{
    public int ExitCode { get; } = exitCode;
}
