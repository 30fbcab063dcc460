using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FunctionsApiKey.Tool.Cli;
using Spectre.Console;

namespace FunctionsApiKey.Tool.Commands;

/// <summary>
/// <c>usage NAME [--days 7] [--json]</c>: one key's requests per UTC hour (allowed, denied, over a limit) from the app's
/// usage table, drawn as one line of 24 marks per day and kind, or as JSON for scripts.
/// </summary>
internal static class UsageCommand
{
    public const int MaxDays = 31;

    // Nine heights: none, then eighths of the busiest hour shown.
    private const string Marks = "·▁▂▃▄▅▆▇█";

    public static Command Build(GlobalOptions options, ToolConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "The key's name" };
        var days = new Option<int>("--days") { Description = $"How many UTC days to show, today included (1 to {MaxDays})", DefaultValueFactory = _ => 7 };
        var json = new Option<bool>("--json") { Description = "Write JSON to standard output instead of a chart" };
        var command = new Command("usage", "Show one key's requests per hour: allowed, denied and over a limit") { name, days, json };

        CommandAction.Handle(command, options, console, CommandAction.ReaderRole, async (context, parse, cancellationToken) =>
        {
            var dayCount = parse.GetValue(days);
            if (dayCount is < 1 or > MaxDays)
            {
                throw new ToolException(ExitCodes.Usage, $"--days {dayCount} is out of range: give 1 to {MaxDays}.");
            }

            var lastUse = context.Settings.LastUse
                ?? throw new ToolException(ExitCodes.Usage, "The app's settings name no usage table: usage counts are kept with last use, so set ApiKeys__LastUseConnection (or ApiKeys__UsageTable) as the app has it.");
            var (table, problem) = context.UsageTable(lastUse);
            if (table is null)
            {
                throw new ToolException(ExitCodes.Usage, problem!);
            }

            var keyName = Inputs.KeyName(parse.GetValue(name), context.SecretPrefix);
            _ = await context.Store.FindAsync(keyName, cancellationToken).ConfigureAwait(false)
                ?? throw new ToolException(ExitCodes.NotFound, $"There is no key named '{keyName}' in {context.Store.Description}.");

            var to = new DateTimeOffset(context.Now.UtcDateTime.Date, TimeSpan.Zero).AddDays(1);
            var from = to.AddDays(-dayCount);
            IReadOnlyList<KeyUsage> hours;
            try
            {
                hours = await table.ReadAsync(keyName, from, to, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw Failures.Explain(ex, $"usage table '{lastUse.UsageTable}'", "Storage Table Data Reader");
            }

            var report = UsageReport.Of(keyName, from, to, hours);
            if (parse.GetValue(json))
            {
                await context.Console.Out.WriteLineAsync(JsonSerializer.Serialize(report, UsageReport.Json)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            context.Results.Write(Chart(report));
            context.Note(hours.Count == 0
                ? $"No requests presented '{KeyView.Printable(keyName)}' in the last {dayCount} day(s)."
                : $"Each mark is one UTC hour, scaled to the busiest hour shown ({report.BusiestHour:N0} requests; · is none). Counts arrive within about 2 minutes.");
            return ExitCodes.Success;
        });

        return command;
    }

    /// <summary>Per day, three lines of 24 marks (allowed, denied, over limit) and each line's total: under 80 columns.</summary>
    private static Table Chart(UsageReport report)
    {
        var table = new Table().Border(TableBorder.Simple)
            .Title(Markup.Escape($"{KeyView.Printable(report.Name)}: requests per hour (UTC)"));
        table.AddColumn("DAY");
        table.AddColumn("");
        table.AddColumn("00    06    12    18    ");
        table.AddColumn(new TableColumn("TOTAL").RightAligned());

        var byHour = report.Hours.ToDictionary(h => h.Hour);
        for (var day = report.From; day < report.To; day = day.AddDays(1))
        {
            var dayHours = Enumerable.Range(0, 24).Select(h => byHour.GetValueOrDefault(day.AddHours(h))).ToArray();
            (string Label, string Color, Func<UsageHour?, long> Count)[] kinds =
            [
                ("allowed", "green", h => h?.Allowed ?? 0),
                ("denied", "red", h => h?.Denied ?? 0),
                ("over limit", "yellow", h => h?.OverLimit ?? 0),
            ];
            foreach (var (label, color, count) in kinds)
            {
                var counts = dayHours.Select(count).ToArray();
                table.AddRow(
                    label == "allowed" ? day.ToString("yyyy'-'MM'-'dd", CultureInfo.InvariantCulture) : "",
                    label,
                    $"[{color}]{Line(counts, report.BusiestHour)}[/]",
                    counts.Sum().ToString("N0", CultureInfo.InvariantCulture));
            }
        }

        return table;
    }

    /// <summary>24 marks, a space every six hours so the hour of a mark can be read off the header.</summary>
    private static string Line(long[] counts, long busiest)
    {
        var line = new StringBuilder(28);
        for (var hour = 0; hour < counts.Length; hour++)
        {
            if (hour > 0 && hour % 6 == 0)
            {
                line.Append(' ');
            }

            // Any request shows at least the lowest bar, so one request is never mistaken for none.
            var height = counts[hour] == 0 || busiest == 0 ? 0 : (int)Math.Max(1, Math.Ceiling(counts[hour] * 8.0 / busiest));
            line.Append(Marks[height]);
        }

        return line.ToString();
    }
}
