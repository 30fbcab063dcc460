namespace FunctionApp.Tests.FakeKeyVault;

/// <summary>One version of a secret in the fake vault.</summary>
internal sealed record FakeSecretVersion(
    string Version,
    string Value,
    IReadOnlyDictionary<string, string> Tags,
    bool Enabled,
    DateTimeOffset? NotBefore,
    DateTimeOffset? ExpiresOn,
    DateTimeOffset Created,
    DateTimeOffset Updated);
