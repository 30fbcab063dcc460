using System.CommandLine;
using FunctionsApiKey.Tool.Cli;

namespace FunctionsApiKey.Tool.Commands;

/// <summary>What every command runs its body with: a context built from the options, and one way to report a failure.</summary>
internal static class CommandAction
{
    /// <summary>Roles a command needs in the vault, named when access is denied.</summary>
    public const string ReaderRole = "Key Vault Secrets User";

    public const string WriterRole = "Key Vault Secrets Officer";

    /// <summary>
    /// Runs <paramref name="body"/> as the command's action, in a context built from the options; any failure becomes one
    /// <c>error:</c> line on standard error and its exit code.
    /// </summary>
    public static void Handle(Command command, GlobalOptions options, ToolConsole console, string role, Func<ToolContext, ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            ToolContext? context = null;
            try
            {
                context = new ToolContext(console, options, parse);
                return await body(context, parse, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var failure = Failures.Explain(ex, context?.Store.Description ?? "vault", role);
                await console.Error.WriteLineAsync($"error: {failure.Message}").ConfigureAwait(false);
                return failure.ExitCode;
            }
        });
}
