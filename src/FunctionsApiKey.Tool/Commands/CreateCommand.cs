using System.CommandLine;
using FunctionsApiKey.Tool.Cli;
using FunctionsApiKey.Tool.Stores;

namespace FunctionsApiKey.Tool.Commands;

/// <summary>
/// <c>create NAME</c>: a new key from 256 random bits in the issued format, stored only as its SHA-256, printed once on
/// standard output and nowhere else.
/// </summary>
internal static class CreateCommand
{
    public static Command Build(GlobalOptions options, ToolConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "The key's name: the caller it is for, e.g. partner-a" };
        var scopes = new Option<string[]>("--scopes") { Description = "Functions or [RequireScope] names the key may call (default: every function)", AllowMultipleArgumentsPerToken = true };
        var expires = new Option<string?>("--expires") { Description = "When the key stops working: 2027-06-30 or 2027-06-30T12:00:00Z" };
        var ttl = new Option<string?>("--ttl") { Description = "Or how long it works: 90d, 12h, 30m" };
        var notBefore = new Option<string?>("--not-before") { Description = "When the key starts working (default: now)" };
        var properties = new Option<string[]>("--property") { Description = "Another key property the app reads, as NAME=VALUE; repeat for each" };
        var command = new Command("create", "Issue a new key; prints it once on standard output") { name, scopes, expires, ttl, notBefore, properties };

        CommandAction.Handle(command, options, console, CommandAction.WriterRole, async (context, parse, cancellationToken) =>
        {
            var keyName = Inputs.KeyName(parse.GetValue(name), context.SecretPrefix);
            var keyScopes = Inputs.Scopes(parse.GetValue(scopes));
            var (start, end) = Inputs.Window(parse.GetValue(expires), parse.GetValue(ttl), parse.GetValue(notBefore), context.Now);
            var keyProperties = Inputs.Properties(parse.GetValue(properties), ToolContext.Declared, out var unknown);

            var key = ApiKeyFormat.Generate(context.KeyPrefix);
            await KeyHandOver.StoreAndWriteAsync(context, new NewKey(keyName, ApiKeyText.StoredForm(key), keyScopes, start, end, RotatedFrom: null, keyProperties), key, cancellationToken).ConfigureAwait(false);
            context.Note($"Created key '{keyName}' in {context.Store.Description}: scopes {(keyScopes.IsEmpty ? "(every function)" : string.Join(' ', keyScopes))}, valid from {KeyView.Time(start ?? context.Now)} until {(end is null ? "revoked" : KeyView.Time(end))}.");
            foreach (var property in unknown)
            {
                // Vault tags the app does not declare are ignored, and settings it does not declare leave the key out.
                context.Note($"The tool does not know the property {property}, so it stored the value as written: the app reads it only if it declares {property} (AddKeyProperty), and leaves the key out if the value does not read.");
            }

            context.Note("The key is on standard output. It is shown only this once, and stored only as its SHA-256.");
            await RingPublication.AfterChangeAsync(context, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });

        return command;
    }
}
