using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Tests.Storage;
using FunctionsApiKey;
using FunctionsApiKey.LastUse;

namespace FunctionApp.Tests.Tool;

/// <summary>Azurite as the app's storage account, and two keys, one of which the app's last-use table says was used.</summary>
public sealed class LastUseFixture : ToolVaultFixture
{
    /// <summary>When the table says <c>used</c> was last used.</summary>
    public static readonly DateTimeOffset Used = new(2026, 11, 27, 16, 42, 0, TimeSpan.Zero);

    protected override bool WithStorage => true;

    protected override async Task SeedAsync()
    {
        Vault.SetSecret("apikey-used", TestKeys.Sha256Text(ApiKeyFormat.Generate()), tags: KeyTags.EveryFunction);
        Vault.SetSecret("apikey-unused", TestKeys.Sha256Text(ApiKeyFormat.Generate()), tags: KeyTags.EveryFunction);

        // The row the app's last-use writer leaves, written by the same class.
        var tables = Azure.Storage!.Tables(new IdentityEndpointCredential(Azure.Identity));
        await new LastUseTable(tables.GetTableClient(LastUseDefaults.TableName)).RecordAsync([new KeyLastUse("used", Used)], CancellationToken.None);
    }
}
