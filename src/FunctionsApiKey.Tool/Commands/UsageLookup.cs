using FunctionsApiKey.Tool.Cli;

namespace FunctionsApiKey.Tool.Commands;

/// <summary>
/// Reads each key's requests of the current UTC day for <c>list</c>, from the usage table beside the last-use table
/// (<see cref="ToolSettings.LastUse"/>). A convenience like last use: when the table cannot be read, <c>list</c> still
/// answers, without the counts, and says why on standard error.
/// </summary>
internal static class UsageLookup
{
    /// <returns>
    /// Requests today (allowed, denied and over a limit together) by key name; null when the table cannot be read (the
    /// column then shows "-", never a 0 that was not counted) or when the app's settings name no last-use table.
    /// </returns>
    public static async Task<IReadOnlyDictionary<string, long>?> RequestsTodayAsync(ToolContext context, CancellationToken cancellationToken)
    {
        if (context.Settings.LastUse is not { } lastUse)
        {
            return null;
        }

        var (table, problem) = context.UsageTable(lastUse);
        if (table is null)
        {
            context.Note($"Requests today are not shown: {problem!.TrimEnd('.')}.");
            return null;
        }

        var today = new DateTimeOffset(context.Now.UtcDateTime.Date, TimeSpan.Zero);
        try
        {
            var totals = await table.ReadTotalsAsync(today, today.AddDays(1), cancellationToken).ConfigureAwait(false);
            return totals.ToDictionary(t => t.Key, t => t.Value.Allowed + t.Value.Denied + t.Value.OverLimit, StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var failure = Failures.Explain(ex, $"usage table '{lastUse.UsageTable}'", "Storage Table Data Reader");
            context.Note($"Requests today are not shown. {failure.Message}");
            return null;
        }
    }
}
