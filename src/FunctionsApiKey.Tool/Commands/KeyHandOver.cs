using FunctionsApiKey.Tool.Cli;
using FunctionsApiKey.Tool.Stores;

namespace FunctionsApiKey.Tool.Commands;

/// <summary>
/// Stores a new key and hands it over on standard output, in that order but without a moment where the store holds a
/// working key that nobody has: the key is stored revoked, written, and enabled only once the write has succeeded. When
/// standard output is closed or full, the key stays revoked.
/// </summary>
internal static class KeyHandOver
{
    /// <param name="context">The invocation: its store and standard output.</param>
    /// <param name="stored">The key as it is stored.</param>
    /// <param name="key">The key itself, for standard output only.</param>
    /// <param name="cancellationToken">Cancels the store's calls.</param>
    public static async Task StoreAndWriteAsync(ToolContext context, NewKey stored, string key, CancellationToken cancellationToken)
    {
        await context.Store.CreateAsync(stored, cancellationToken).ConfigureAwait(false);
        try
        {
            await context.Console.Out.WriteLineAsync(key).ConfigureAwait(false);
            await context.Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A closed descriptor (>&-) answers EBADF, which .NET reports as access denied.
            throw new ToolException(ExitCodes.OutputFailed, $"The key could not be written to standard output ({ex.Message.TrimEnd('.')}), so nobody has it: '{stored.Name}' is left revoked in {context.Store.Description}. Run the command again with standard output going somewhere that takes it (and another name with create).", ex);
        }

        try
        {
            await context.Store.UpdateAsync(stored.Name, enabled: true, expiresOn: null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var failure = Failures.Explain(ex, context.Store.Description, CommandAction.WriterRole);
            throw new ToolException(failure.ExitCode, $"The key is on standard output, but '{stored.Name}' could not be enabled and is still revoked: {failure.Message}", ex);
        }
    }
}
