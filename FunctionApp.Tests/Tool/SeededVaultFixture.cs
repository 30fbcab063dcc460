using FunctionApp.Testing;
using FunctionsApiKey;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// A vault holding one key in each state <c>list</c> and <c>show</c> tell apart, as the app and the tool store them
/// (<c>sha256:…</c> values, the <c>scopes</c> tag, the secret's attributes), beside a secret that is no key.
/// </summary>
public sealed class SeededVaultFixture : ToolVaultFixture
{
    /// <summary>How many of the vault's secrets are keys.</summary>
    public const int KeyCount = 6;

    /// <summary>Whole seconds, as the vault keeps times.</summary>
    public DateTimeOffset Now { get; } = ToolVaultFixture.WholeSeconds(DateTimeOffset.UtcNow);

    public DateTimeOffset LongLived => Now.AddDays(200);

    /// <summary>Five days and an hour away: within the 14 days that are flagged, and 5 whole days even if a run is slow.</summary>
    public DateTimeOffset ExpiringSoon => Now.AddDays(5).AddHours(1);

    public DateTimeOffset Expired => Now.AddDays(-1);

    public DateTimeOffset NotYetValid => Now.AddDays(3);

    protected override Task SeedAsync()
    {
        Seed("active", new() { ["scopes"] = "SecureEndpoint reports" }, expiresOn: LongLived);
        Seed("soon", new() { ["scopes"] = "*" }, expiresOn: ExpiringSoon);
        Seed("expired", new() { ["scopes"] = "*" }, expiresOn: Expired);
        Seed("revoked", new() { ["Scopes"] = "SecureEndpoint" }, enabled: false); // the app reads the tag in any letter case
        Seed("future", new() { ["scopes"] = "*" }, notBefore: NotYetValid);
        Seed("active-v2", new() { ["rotated-from"] = "active", ["scopes"] = "*" });
        Vault.SetSecret("unrelated-connection-string", "Server=db;Password=not-a-key");
        return Task.CompletedTask;
    }

    private void Seed(string name, Dictionary<string, string> tags, bool enabled = true, DateTimeOffset? notBefore = null, DateTimeOffset? expiresOn = null) =>
        Vault.SetSecret("apikey-" + name, TestKeys.Sha256Text(ApiKeyFormat.Generate()), tags, enabled, notBefore, expiresOn, contentType: "text/plain; sha256");
}
