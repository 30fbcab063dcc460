namespace FunctionsApiKey.Tool.Cli;

/// <summary>The tool's exit codes; the README lists them, and scripts may rely on them.</summary>
internal static class ExitCodes
{
    /// <summary>Done; for <c>verify</c>, the app would accept the key.</summary>
    public const int Success = 0;

    /// <summary><c>verify</c>: the app would refuse the key (bad checksum, unknown, revoked, expired, not yet valid, or left out).</summary>
    public const int Refused = 1;

    /// <summary>A bad argument: name, date, duration, scope, option; no vault to work on; or a key <c>rotate</c> cannot carry over (revoked, or left out by the app).</summary>
    public const int Usage = 2;

    /// <summary>No key has that name.</summary>
    public const int NotFound = 3;

    /// <summary>The name is taken, by a key or by a deleted key the vault still keeps.</summary>
    public const int NameTaken = 4;

    /// <summary>The signed-in identity lacks the role the command needs.</summary>
    public const int AccessDenied = 5;

    /// <summary>The vault or table does not exist or cannot be reached.</summary>
    public const int Unreachable = 6;

    /// <summary>The vault kept answering 429 (too many requests).</summary>
    public const int Throttled = 7;

    /// <summary>No credential could sign in.</summary>
    public const int NoCredential = 8;

    /// <summary>local.settings.json is missing, is not valid JSON, or could not be written back exactly; it is left as it was.</summary>
    public const int SettingsFile = 9;

    /// <summary>Anything else: a bug or an answer the tool does not know.</summary>
    public const int Unexpected = 10;

    /// <summary>Standard output did not take the new key (closed or full); the key is left revoked.</summary>
    public const int OutputFailed = 11;
}
