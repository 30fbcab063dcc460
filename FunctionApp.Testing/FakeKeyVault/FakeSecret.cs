namespace FunctionApp.Testing.FakeKeyVault;

/// <summary>One version of a secret in the fake vault.</summary>
public sealed record FakeSecretVersion(
    string Version,
    string Value,
    IReadOnlyDictionary<string, string> Tags,
    bool Enabled,
    DateTimeOffset? NotBefore,
    DateTimeOffset? ExpiresOn,
    DateTimeOffset Created,
    DateTimeOffset Updated,
    string? ContentType = null);
