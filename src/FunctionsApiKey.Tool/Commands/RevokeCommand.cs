using System.CommandLine;
using FunctionsApiKey.Tool.Cli;

namespace FunctionsApiKey.Tool.Commands;

/// <summary>
/// <c>revoke NAME</c>: disables the key (enabled=false). It stays known, so the app's denials still name it, and it can
/// be enabled again; deleting the secret is left to the vault's own tools.
/// </summary>
internal static class RevokeCommand
{
    public static Command Build(GlobalOptions options, ToolConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "The key's name" };
        var command = new Command("revoke", "Revoke a key: every instance refuses it from its next reload") { name };

        CommandAction.Handle(command, options, console, CommandAction.WriterRole, async (context, parse, cancellationToken) =>
        {
            var keyName = Inputs.KeyName(parse.GetValue(name), context.SecretPrefix);
            await context.Store.UpdateAsync(keyName, enabled: false, expiresOn: null, cancellationToken).ConfigureAwait(false);
            context.Note(context.IsLocal
                ? $"Revoked '{keyName}' in {context.Store.Description}; restart the app to apply it."
                : $"Revoked '{keyName}' in {context.Store.Description}. Instances refuse it from their next reload: within about 5.5 minutes when each reads the vault.");
            await RingPublication.AfterChangeAsync(context, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });

        return command;
    }
}
