using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FunctionsApiKey.Tool.Cli;
using FunctionsApiKey.Tool.Stores;
using Spectre.Console;

namespace FunctionsApiKey.Tool.Commands;

/// <summary><c>list</c>: every key with its scopes, state, window, creation, last use and requests today; a table, or JSON for scripts.</summary>
internal static class ListCommand
{
    public static Command Build(GlobalOptions options, ToolConsole console)
    {
        var json = new Option<bool>("--json") { Description = "Write JSON to standard output instead of a table" };
        var command = new Command("list", "List the keys, with when each was last used") { json };

        CommandAction.Handle(command, options, console, CommandAction.ReaderRole, async (context, parse, cancellationToken) =>
        {
            var keys = await ListWithProgressAsync(context, cancellationToken).ConfigureAwait(false);
            var lastUse = await LastUseLookup.ReadAsync(context, cancellationToken).ConfigureAwait(false);
            var today = await UsageLookup.RequestsTodayAsync(context, cancellationToken).ConfigureAwait(false);
            var views = keys.Select(k => KeyView.Of(k, lastUse) with { RequestsToday = today is null ? null : today.GetValueOrDefault(k.Name) }).OrderBy(v => v.Name, StringComparer.OrdinalIgnoreCase).ToList();

            if (parse.GetValue(json))
            {
                await context.Console.Out.WriteLineAsync(JsonSerializer.Serialize(views, KeyView.Json)).ConfigureAwait(false);
            }
            else
            {
                context.Results.Write(Table(views, context.Now, lastUse is not null));
            }

            foreach (var leftOut in views.Where(v => v.LeftOut is not null))
            {
                context.Note($"Warning: the app leaves out '{KeyView.Printable(leftOut.Name)}': {KeyView.Printable(leftOut.LeftOut!).TrimEnd('.')}. Until that is fixed, the key is refused and cannot be rotated.");
            }

            var soon = views.Where(v => v.Enabled && v.LeftOut is null && v.ExpiresSoon(context.Now)).ToList();
            if (soon.Count > 0)
            {
                context.Note($"Warning: {soon.Count} key(s) expire within {KeyView.ExpiryWarning.TotalDays:F0} days: {string.Join(", ", soon.Select(v => $"{KeyView.Printable(v.Name)} ({KeyView.Time(v.ExpiresOn)})"))}. Rotate them: dotnet apikeys rotate NAME.");
            }

            context.Note(lastUse is null
                ? $"{views.Count} key(s) in {context.Store.Description}."
                : $"{views.Count} key(s) in {context.Store.Description}. Last use has minute resolution; TODAY counts the requests that presented each key this UTC day. Both arrive within about 2 minutes.");
            return ExitCodes.Success;
        });

        return command;
    }

    /// <summary>Lists, showing a live count on standard error when it is a terminal (a large vault lists 25 at a time).</summary>
    private static async Task<IReadOnlyList<StoredKey>> ListWithProgressAsync(ToolContext context, CancellationToken cancellationToken)
    {
        var messages = context.Messages;
        if (context.Console.ErrorRedirected || !messages.Profile.Capabilities.Interactive)
        {
            return await context.Store.ListAsync(null, cancellationToken).ConfigureAwait(false);
        }

        return await messages.Status().StartAsync($"Listing keys in {context.Store.Description}…", async status =>
        {
            var progress = new Progress<int>(read => status.Status($"Listing keys in {context.Store.Description}… {read:N0} secrets read"));
            return await context.Store.ListAsync(progress, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <param name="views">The keys.</param>
    /// <param name="now">For the expiry flags.</param>
    /// <param name="lastUseTracked">Whether the app keeps last use: without it, there is no LAST USED column, nor TODAY (requests this UTC day).</param>
    private static Table Table(IReadOnlyList<KeyView> views, DateTimeOffset now, bool lastUseTracked)
    {
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumns("NAME", "SCOPES", "ENABLED", "NOT BEFORE", "EXPIRES", "CREATED");
        if (lastUseTracked)
        {
            table.AddColumn("LAST USED");
            table.AddColumn(new TableColumn("TODAY").RightAligned());
        }

        foreach (var view in views)
        {
            string[] cells =
            [
                Markup.Escape(KeyView.Printable(view.Name)),
                Markup.Escape(view.ScopesText),
                view.LeftOut is not null ? "[red]no (left out)[/]" : view.Enabled ? "yes" : "[red]no (revoked)[/]",
                KeyView.Time(view.NotBefore),
                Expiry(view, now),
                KeyView.Time(view.Created),
            ];
            table.AddRow(lastUseTracked ? [.. cells, view.LastUsedText, view.RequestsToday is { } today ? today.ToString("N0", CultureInfo.InvariantCulture) : "-"] : cells);
        }

        return table;
    }

    private static string Expiry(KeyView view, DateTimeOffset now) =>
        view.ExpiresOn is not { } expiry ? "-"
        : expiry <= now ? $"[red]{KeyView.Time(expiry)} (expired)[/]"
        : view.ExpiresSoon(now) ? $"[yellow]{KeyView.Time(expiry)} (in {KeyView.Days(expiry - now)})[/]"
        : KeyView.Time(expiry);
}
