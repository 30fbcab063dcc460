using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using FunctionsApiKey.Tool.Cli;
using FunctionsApiKey.Tool.Stores;

namespace FunctionsApiKey.Tool.Commands;

/// <summary>
/// <c>rotate NAME</c>: a new key for the same caller and scopes under the next name (<c>NAME-v2</c>, <c>-v3</c>…), then
/// the old key's expiry brought forward to now plus the overlap, so the caller has that long to switch. Every other
/// property the old key has (a limit, say) goes over to the new one as stored, declared to the tool or not: dropping one
/// would widen the caller's access. The new key is
/// stored first: if shortening the old one fails, both still work and nothing is lost.
/// </summary>
internal static partial class RotateCommand
{
    public static Command Build(GlobalOptions options, ToolConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "The key to replace" };
        var overlap = new Option<string>("--overlap") { Description = "How long the old key keeps working: 7d, 12h, 0m", DefaultValueFactory = _ => "7d" };
        var newName = new Option<string?>("--new-name") { Description = "The new key's name (default: NAME-v2, or the next -vN)" };
        var expires = new Option<string?>("--expires") { Description = "When the new key stops working (default: the old key's lifetime, from now)" };
        var ttl = new Option<string?>("--ttl") { Description = "Or how long the new key works: 90d" };
        var command = new Command("rotate", "Replace a key: issue a new one and let the old one expire after an overlap") { name, overlap, newName, expires, ttl };

        CommandAction.Handle(command, options, console, CommandAction.WriterRole, async (context, parse, cancellationToken) =>
        {
            var oldName = Inputs.KeyName(parse.GetValue(name), context.SecretPrefix);
            var grace = Inputs.Duration(parse.GetValue(overlap), "--overlap", allowZero: true)!.Value;
            var store = context.Store;
            var old = await store.FindAsync(oldName, cancellationToken).ConfigureAwait(false)
                ?? throw new ToolException(ExitCodes.NotFound, $"There is no key named '{oldName}' in {store.Description}.");
            // Its scopes as stored are not what the app reads, so a successor could only guess them: an unlimited guess
            // would turn a key the app refuses into one it accepts everywhere.
            if (old.LeftOut is not null)
            {
                throw new ToolException(ExitCodes.Usage, $"The app leaves '{oldName}' out: {KeyView.Printable(old.LeftOut).TrimEnd('.')}. Fix that first (check with 'dotnet apikeys show {oldName}'), then rotate it; nothing was stored.");
            }

            if (!old.Enabled)
            {
                throw new ToolException(ExitCodes.Usage, $"'{oldName}' is revoked, so there is no access to carry over; issue a new key with 'create' if the caller should have one.");
            }

            var replacement = parse.GetValue(newName) is { } chosen
                ? Inputs.KeyName(chosen, context.SecretPrefix)
                : await NextNameAsync(store, oldName, context.SecretPrefix, cancellationToken).ConfigureAwait(false);
            var (_, end) = parse.GetValue(expires) is null && parse.GetValue(ttl) is null
                ? (null, SameLifetime(old, context.Now))
                : Inputs.Window(parse.GetValue(expires), parse.GetValue(ttl), notBefore: null, context.Now);

            var key = ApiKeyFormat.Generate(context.KeyPrefix);
            await KeyHandOver.StoreAndWriteAsync(context, new NewKey(replacement, ApiKeyText.StoredForm(key), old.Scopes, NotBefore: null, end, RotatedFrom: oldName, old.Properties), key, cancellationToken).ConfigureAwait(false);

            var oldEnd = context.Now + grace;
            if (old.ExpiresOn is { } already && already < oldEnd)
            {
                oldEnd = already;
            }

            try
            {
                await store.UpdateAsync(oldName, enabled: null, oldEnd, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var failure = Failures.Explain(ex, store.Description, CommandAction.WriterRole);
                throw new ToolException(failure.ExitCode, $"Issued '{replacement}' (the key is on standard output), but could not shorten '{oldName}', which still works until {(old.ExpiresOn is null ? "revoked" : KeyView.Time(old.ExpiresOn))}: {failure.Message}", ex);
            }

            context.Note($"Issued '{replacement}' for the caller of '{oldName}' (scopes {(old.Scopes.IsEmpty ? "(every function)" : KeyView.Printable(string.Join(' ', old.Scopes)))}, until {(end is null ? "revoked" : KeyView.Time(end))}). The key is on standard output, shown only this once.");
            context.Note($"'{oldName}' now expires at {KeyView.Time(oldEnd)}: give the caller the new key before then.");
            await RingPublication.AfterChangeAsync(context, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });

        return command;
    }

    /// <summary><c>NAME-v2</c>, or one more than NAME's own <c>-vN</c>, skipping names already taken.</summary>
    private static async Task<string> NextNameAsync(IKeyStore store, string name, string secretPrefix, CancellationToken cancellationToken)
    {
        var match = Versioned().Match(name);
        var stem = match.Success ? match.Groups["stem"].Value : name;
        var version = match.Success ? int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture) : 1;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var candidate = Inputs.KeyName($"{stem}-v{++version}", secretPrefix);
            if (await store.FindAsync(candidate, cancellationToken).ConfigureAwait(false) is null)
            {
                return candidate;
            }
        }

        throw new ToolException(ExitCodes.NameTaken, $"'{stem}-v2' to '{stem}-v{version}' are all taken; name the new key with --new-name.");
    }

    /// <summary>
    /// A key that was given a lifetime gets the same one again, from now; one without an expiry gets none. When the
    /// old key's start is unknown (keys in settings carry no creation time), the new key ends when the old one would
    /// have, so a rotation never turns a key with an end into one without.
    /// </summary>
    private static DateTimeOffset? SameLifetime(StoredKey old, DateTimeOffset now) =>
        old.ExpiresOn is not { } expiry ? null
        : (old.NotBefore ?? old.Created) is { } start && expiry > start ? now + (expiry - start)
        : expiry;

    [GeneratedRegex("^(?<stem>.+)-v(?<version>[0-9]{1,4})$")]
    private static partial Regex Versioned();
}
