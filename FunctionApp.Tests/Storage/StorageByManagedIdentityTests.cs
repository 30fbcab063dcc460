using Azure.Data.Tables;
using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;

namespace FunctionApp.Tests.Storage;

/// <summary>
/// The worker environment of <see cref="FakeAzureEnvironment"/> must let an unchanged app reach its storage account by
/// managed identity as it would in Azure: a child process given only those variables runs the real
/// ManagedIdentityCredential, trusts Azurite and the vault through one <c>SSL_CERT_FILE</c>, and reaches Azurite
/// directly while the vault still goes through the proxy.
/// </summary>
public sealed class StorageByManagedIdentityTests(StorageByManagedIdentityTests.Environment fixture) : IClassFixture<StorageByManagedIdentityTests.Environment>
{
    [Fact]
    public async Task AnAppGivenOnlyTheEnvironmentReachesBlobTableAndVaultByManagedIdentity()
    {
        var azure = fixture.Azure;
        var text = TestKeys.NewValue();
        azure.Vault.SetSecret("probe-secret", "vault value");
        var environment = azure.PlatformEnvironment();
        foreach (var (name, value) in azure.StorageSettings())
        {
            environment[name] = value;
        }

        var probe = await AzureProbe.RunAsync(environment, "AzureWebJobsStorage", text, "https://myvault.vault.azure.net/", "probe-secret");

        Assert.True(probe.ExitCode == 0, probe.Error);
        Assert.Equal([$"blob: {text}", $"entity: {text}", "secret: vault value"], probe.Lines);
        Assert.Contains(azure.Identity.Issued, t => t is { Resource: FakeManagedIdentityEndpoint.StorageResource, ClientId: null });
        Assert.Contains(azure.Identity.Issued, t => t is { Resource: FakeManagedIdentityEndpoint.VaultResource, ClientId: null });
        Assert.Equal(0, azure.Identity.Refused);

        // The vault by its real name through the proxy; Azurite on loopback past it (the proxy refuses anything else).
        Assert.True(azure.Proxy.Tunnels >= 1);
        Assert.Equal(0, azure.Proxy.Refused);

        // What the probe wrote is there, read without it over the shared-key path.
        var storage = azure.Storage!;
        var blobs = storage.BlobsByAccountKey();
        Assert.Equal(text, (await blobs.GetBlobContainerClient("probe").GetBlobClient("probe.txt").DownloadContentAsync()).Value.Content.ToString());
        var tables = storage.TablesByAccountKey();
        Assert.Equal(text, (await tables.GetTableClient("probe").GetEntityAsync<TableEntity>("probe", "row")).Value.GetString("Text"));
    }

    [Fact]
    public async Task ANamedConnectionWithAUserAssignedIdentityAsksForThatIdentity()
    {
        var azure = fixture.Azure;
        var clientId = Guid.NewGuid().ToString();
        var environment = azure.PlatformEnvironment();
        foreach (var (name, value) in azure.StorageSettings("KeyRingStorage", clientId))
        {
            environment[name] = value;
        }

        var probe = await AzureProbe.RunAsync(environment, "KeyRingStorage", "named");

        Assert.True(probe.ExitCode == 0, probe.Error);
        Assert.Equal(["blob: named", "entity: named"], probe.Lines);
        Assert.Contains(azure.Identity.Issued, t => t.Resource == FakeManagedIdentityEndpoint.StorageResource && t.ClientId == clientId);
    }

    /// <summary>The fake vault, proxy, identity endpoint and Azurite, shared by the class.</summary>
    public sealed class Environment : IAsyncLifetime
    {
        public FakeAzureEnvironment Azure { get; private set; } = null!;

        public async Task InitializeAsync() => Azure = await FakeAzureEnvironment.StartAsync(withStorage: true);

        public async Task DisposeAsync()
        {
            if (Azure is not null)
            {
                await Azure.DisposeAsync();
            }
        }
    }
}
