using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Tests.Storage;
using FunctionsApiKey;
using FunctionsApiKey.LastUse;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// Azurite as the app's storage account, two keys, and the usage table's rows for one of them: this hour from two
/// instances, yesterday, and eight days ago, written by the class the app's usage writer uses.
/// </summary>
public sealed class UsageFixture : ToolVaultFixture
{
    /// <summary>The start of the hour the rows of "today" are in (UTC), taken when the fixture is seeded.</summary>
    public DateTimeOffset ThisHour { get; private set; }

    protected override bool WithStorage => true;

    protected override async Task SeedAsync()
    {
        Vault.SetSecret("apikey-busy", TestKeys.Sha256Text(ApiKeyFormat.Generate()), tags: KeyTags.EveryFunction);
        Vault.SetSecret("apikey-idle", TestKeys.Sha256Text(ApiKeyFormat.Generate()), tags: KeyTags.EveryFunction);

        var now = DateTimeOffset.UtcNow;
        ThisHour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        var table = new UsageTable(Azure.Storage!.Tables(new IdentityEndpointCredential(Azure.Identity)).GetTableClient(LastUseDefaults.UsageTableName));
        await table.RecordAsync("instancea", [new KeyUsage("busy", ThisHour, 12, 3, 2), new KeyUsage("busy", ThisHour.AddDays(-1), 40, 0, 0), new KeyUsage("busy", ThisHour.AddDays(-8), 99, 0, 0)], CancellationToken.None);
        await table.RecordAsync("instanceb", [new KeyUsage("busy", ThisHour, 5, 0, 0)], CancellationToken.None);
    }
}
