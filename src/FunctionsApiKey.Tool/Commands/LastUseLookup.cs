using FunctionsApiKey.Tool.Cli;

namespace FunctionsApiKey.Tool.Commands;

/// <summary>
/// Reads last-use times for <c>list</c> and <c>show</c>. They are a convenience: when the table cannot be read, the
/// command still answers, without them, and says why on standard error.
/// </summary>
internal static class LastUseLookup
{
    public static async Task<IReadOnlyDictionary<string, DateTimeOffset>?> ReadAsync(ToolContext context, CancellationToken cancellationToken)
    {
        var (table, missing) = context.LastUseTable();
        if (table is null)
        {
            context.Note($"Last use is not shown: {missing}.");
            return null;
        }

        try
        {
            return await table.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var failure = Failures.Explain(ex, $"last-use table '{context.Settings.LastUseTable}'", "Storage Table Data Reader");
            context.Note($"Last use is not shown. {failure.Message}");
            return null;
        }
    }
}
