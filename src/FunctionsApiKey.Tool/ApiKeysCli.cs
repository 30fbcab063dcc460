using System.CommandLine;
using FunctionsApiKey.Tool.Cli;
using FunctionsApiKey.Tool.Commands;

namespace FunctionsApiKey.Tool;

/// <summary>The command line: <c>dotnet apikeys create|list|show|revoke|rotate|verify|usage|migrate-scopes</c>.</summary>
internal static class ApiKeysCli
{
    public static async Task<int> RunAsync(string[] args, ToolConsole console)
    {
        var options = new GlobalOptions();
        var root = new RootCommand("Issue, list, show, rotate, revoke and verify the API keys of a FunctionsApiKey app, in Azure Key Vault or (with --local) in local.settings.json; usage draws a key's requests per hour; migrate-scopes tags a vault's keys without a scopes tag scopes=*.");
        foreach (var option in options.All)
        {
            root.Options.Add(option);
        }

        root.Subcommands.Add(CreateCommand.Build(options, console));
        root.Subcommands.Add(ListCommand.Build(options, console));
        root.Subcommands.Add(ShowCommand.Build(options, console));
        root.Subcommands.Add(RevokeCommand.Build(options, console));
        root.Subcommands.Add(RotateCommand.Build(options, console));
        root.Subcommands.Add(VerifyCommand.Build(options, console));
        root.Subcommands.Add(UsageCommand.Build(options, console));
        root.Subcommands.Add(MigrateScopesCommand.Build(options, console));

        var parse = root.Parse(args);
        if (parse.CommandResult.Command.Name == VerifyCommand.Name && parse.UnmatchedTokens.Count > 0)
        {
            // Most likely the key itself: the parser's own message would print it, and the shell has kept it in its history.
            await console.Error.WriteLineAsync($"error: {VerifyCommand.ReadsStandardInput}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await console.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            }

            await console.Error.WriteLineAsync("Run 'dotnet apikeys --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error }).ConfigureAwait(false);
    }
}
