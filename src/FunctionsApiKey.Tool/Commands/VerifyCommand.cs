using System.CommandLine;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.Tool.Cli;

namespace FunctionsApiKey.Tool.Commands;

/// <summary>
/// <c>verify</c>: reads a key from standard input (so it stays out of shell history and process lists) and says whether
/// its checksum holds, which key it is, and whether the app would accept it now, by the app's own rules: the same
/// format check, the same loading of the store, the same decision. It never prints the key.
/// </summary>
internal static class VerifyCommand
{
    public const string Name = "verify";

    /// <summary>What to do instead, when the key comes as an argument or not at all.</summary>
    public const string ReadsStandardInput = "verify reads the key from standard input, so that it stays out of shell history and process lists: dotnet apikeys verify < key.txt";

    public static Command Build(GlobalOptions options, ToolConsole console)
    {
        var command = new Command(Name, "Check a key read from standard input: checksum, name, and whether the app would accept it now (exit 0) or not (exit 1)");

        CommandAction.Handle(command, options, console, CommandAction.ReaderRole, async (context, parse, cancellationToken) =>
        {
            var presented = await ReadKeyAsync(context.Console.In).ConfigureAwait(false);
            var output = context.Console.Out;

            var format = ApiKeyFormat.Check(presented, context.KeyPrefix);
            await output.WriteLineAsync($"Checksum:  {Describe(format, context.KeyPrefix)}").ConfigureAwait(false);
            if (ApiKeyCheck.CheckPresented(presented, context.KeyPrefix) != ApiKeyOutcome.Allowed)
            {
                await output.WriteLineAsync("Accepted:  no: the app refuses this value before looking it up").ConfigureAwait(false);
                return ExitCodes.Refused;
            }

            var loaded = await context.Store.LoadAsTheAppDoesAsync(cancellationToken).ConfigureAwait(false);
            var keys = loaded.Select(k => k.Key).ToList();
            if (ApiKeyCheck.Find(presented, keys) is not { } key)
            {
                await output.WriteLineAsync($"Key:       none in {context.Store.Description}").ConfigureAwait(false);
                await output.WriteLineAsync("Accepted:  no: unknown key").ConfigureAwait(false);
                return ExitCodes.Refused;
            }

            await output.WriteLineAsync($"Key:       {KeyView.Printable(key.Name)}").ConfigureAwait(false);
            if (loaded.Any(k => k.Excluded && k.Key.Name == key.Name))
            {
                var reason = (await context.Store.FindAsync(key.Name, cancellationToken).ConfigureAwait(false))?.LeftOut;
                await output.WriteLineAsync($"Accepted:  no: the app leaves this key out{(reason is null ? string.Empty : ": " + KeyView.Printable(reason).TrimEnd('.'))}").ConfigureAwait(false);
                return ExitCodes.Refused;
            }

            // The validator decides as for a function the key may call: lifecycle first, as the gate does.
            var scope = key.Scopes.IsEmpty ? "any" : key.Scopes[0];
            var decision = ApiKeyCheck.Decide(presented, keys, scope, context.Now, context.KeyPrefix);
            var answer = decision.Outcome switch
            {
                ApiKeyOutcome.Allowed => $"yes, for {(key.Scopes.IsEmpty ? "every function" : "scopes " + KeyView.Printable(string.Join(' ', key.Scopes)))}",
                ApiKeyOutcome.Revoked => "no: revoked",
                ApiKeyOutcome.Expired => $"no: expired at {KeyView.Time(key.ExpiresOn)}",
                ApiKeyOutcome.NotYetValid => $"no: not valid before {KeyView.Time(key.NotBefore)}",
                var other => $"no: {other}",
            };
            await output.WriteLineAsync($"Accepted:  {answer}").ConfigureAwait(false);
            return decision.Outcome == ApiKeyOutcome.Allowed ? ExitCodes.Success : ExitCodes.Refused;
        });

        return command;
    }

    /// <summary>One line from standard input, without its line break; nothing else may follow.</summary>
    private static async Task<string> ReadKeyAsync(TextReader input)
    {
        var text = await input.ReadToEndAsync().ConfigureAwait(false);
        var key = text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
        if (key.Length == 0)
        {
            throw new ToolException(ExitCodes.Usage, $"{ReadsStandardInput}; nothing was read.");
        }

        if (key.Contains('\n', StringComparison.Ordinal))
        {
            throw new ToolException(ExitCodes.Usage, "verify reads one key: standard input held more than one line.");
        }

        return key;
    }

    private static string Describe(ApiKeyFormatCheck format, string prefix) => format switch
    {
        ApiKeyFormatCheck.Valid => "valid",
        ApiKeyFormatCheck.ChecksumMismatch => "does not match: the key was mistyped, truncated or made up",
        ApiKeyFormatCheck.Malformed => $"malformed: it starts with {prefix}_ but is not a whole {prefix}_ key",
        _ => $"none (not a {prefix}_ key; keys issued before the format have no checksum)",
    };
}
