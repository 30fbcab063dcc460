using System.CommandLine;
using System.Text.Json;
using FunctionsApiKey.Tool.Cli;
using Spectre.Console;

namespace FunctionsApiKey.Tool.Commands;

/// <summary><c>show NAME</c>: one key's details and what the app would do with it now.</summary>
internal static class ShowCommand
{
    public static Command Build(GlobalOptions options, ToolConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "The key's name" };
        var json = new Option<bool>("--json") { Description = "Write JSON to standard output" };
        var command = new Command("show", "Show one key") { name, json };

        CommandAction.Handle(command, options, console, CommandAction.ReaderRole, async (context, parse, cancellationToken) =>
        {
            var keyName = Inputs.KeyName(parse.GetValue(name), context.SecretPrefix);
            var key = await context.Store.FindAsync(keyName, cancellationToken).ConfigureAwait(false)
                ?? throw new ToolException(ExitCodes.NotFound, $"There is no key named '{keyName}' in {context.Store.Description}.");
            var view = KeyView.Of(key, await LastUseLookup.ReadAsync(context, cancellationToken).ConfigureAwait(false));

            if (parse.GetValue(json))
            {
                await context.Console.Out.WriteLineAsync(JsonSerializer.Serialize(view, KeyView.Json)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var grid = new Grid().AddColumn().AddColumn();
            grid.AddRow("Name", Markup.Escape(KeyView.Printable(view.Name)));
            grid.AddRow("State", Markup.Escape(view.State(context.Now)));
            grid.AddRow("Scopes", Markup.Escape(view.ScopesText));
            if (!view.Properties.IsEmpty)
            {
                grid.AddRow("Properties", Markup.Escape(view.PropertiesText));
            }

            grid.AddRow("Not before", KeyView.Time(view.NotBefore));
            grid.AddRow("Expires", KeyView.Time(view.ExpiresOn));
            grid.AddRow("Created", KeyView.Time(view.Created));
            if (view.LastUseTracked)
            {
                grid.AddRow("Last used", view.LastUsedText);
            }

            if (view.RotatedFrom is not null)
            {
                grid.AddRow("Replaces", Markup.Escape(KeyView.Printable(view.RotatedFrom)));
            }

            context.Results.Write(grid);
            return ExitCodes.Success;
        });

        return command;
    }
}
