using System.CommandLine;
using FunctionsApiKey.Tool.Cli;
using FunctionsApiKey.Tool.Stores;

namespace FunctionsApiKey.Tool.Commands;

/// <summary>
/// <c>migrate-scopes [--apply]</c>: the one-time move of a vault to explicit scopes. It lists each key secret with no
/// <c>scopes</c> tag, which the app allowed every function before <c>scopes=*</c> was required and now leaves out;
/// <c>--apply</c> tags each <c>scopes=*</c>, keeping its other tags, so that it keeps working as it did.
/// </summary>
internal static class MigrateScopesCommand
{
    public static Command Build(GlobalOptions options, ToolConsole console)
    {
        var apply = new Option<bool>("--apply") { Description = "Tag them scopes=* (without it, only list them)" };
        var command = new Command("migrate-scopes", "List the keys without a scopes tag, which the app leaves out; --apply tags them scopes=* (every function)") { apply };

        CommandAction.Handle(command, options, console, CommandAction.WriterRole, async (context, parse, cancellationToken) =>
        {
            if (context.Store is not VaultKeyStore vault)
            {
                throw new ToolException(ExitCodes.Usage, "migrate-scopes is for keys in Key Vault: a settings key without Scopes already means every function, since a misspelt setting stops the app.");
            }

            var applying = parse.GetValue(apply);
            var untagged = await vault.WithoutScopesTagAsync(cancellationToken).ConfigureAwait(false);
            var tagged = 0;
            foreach (var (name, tags) in untagged)
            {
                // A key that gained a scopes tag since the listing is left as it is now.
                if (applying && !await vault.TagEveryFunctionAsync(name, cancellationToken).ConfigureAwait(false))
                {
                    context.Note($"'{KeyView.Printable(name)}' has a scopes tag by now; left as it is.");
                    continue;
                }

                tagged++;
                await context.Console.Out.WriteLineAsync(KeyView.Printable(name)).ConfigureAwait(false);
                if (tags.Count > 0)
                {
                    // scops=reports was meant to limit the key: scopes=* would keep it as wide as the app made it.
                    context.Note($"Warning: '{KeyView.Printable(name)}' has other tags ({KeyView.Printable(string.Join(", ", tags.Select(t => $"{t.Key}={t.Value}")))}): if one is a misspelt scopes tag, tag the key scopes=<names> instead.");
                }
            }

            context.Note(untagged.Count == 0
                ? $"Every key in {context.Store.Description} has a scopes tag."
                : applying
                    ? $"Tagged {tagged} key(s) scopes=* (every function) in {context.Store.Description}; instances use them again from their next reload. ApiKeys__KeysWithoutScopes can now be removed."
                    : $"{untagged.Count} key(s) in {context.Store.Description} have no scopes tag: the app leaves them out, unless ApiKeys__KeysWithoutScopes=EveryFunction. Run 'dotnet apikeys migrate-scopes --apply' to tag them scopes=* (every function), or tag each scopes=<names> to limit it. Nothing was changed.");
            return ExitCodes.Success;
        });

        return command;
    }
}
