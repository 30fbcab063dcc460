using System.Collections.ObjectModel;
using FunctionsApiKey.Tool.Cli;

namespace FunctionsApiKey.Tool.Commands;

/// <summary>
/// Reads last-use times for <c>list</c> and <c>show</c> when the app's settings name its last-use table
/// (<see cref="ToolSettings.LastUse"/>). They are a convenience: when the table cannot be read, the command still
/// answers, without them, and says why on standard error.
/// </summary>
internal static class LastUseLookup
{
    /// <returns>
    /// Each key's last use by name; empty when the table cannot be read; null when the app's settings name no last-use
    /// table, and the command then says nothing about last use.
    /// </returns>
    public static async Task<IReadOnlyDictionary<string, DateTimeOffset>?> ReadAsync(ToolContext context, CancellationToken cancellationToken)
    {
        if (context.Settings.LastUse is not { } lastUse)
        {
            return null;
        }

        var (table, problem) = context.LastUseTable(lastUse);
        if (table is null)
        {
            context.Note($"Last use is not shown: {problem!.TrimEnd('.')}.");
            return ReadOnlyDictionary<string, DateTimeOffset>.Empty;
        }

        try
        {
            return await table.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var failure = Failures.Explain(ex, $"last-use table '{lastUse.LastUseTable}'", "Storage Table Data Reader");
            context.Note($"Last use is not shown. {failure.Message}");
            return ReadOnlyDictionary<string, DateTimeOffset>.Empty;
        }
    }
}
