using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Testing.Storage;

namespace FunctionApp.Tests.Storage;

/// <summary>
/// One Azurite and one managed identity endpoint for a test class, with the real Storage clients pointed at them
/// (<see cref="AzuriteClients"/>): by default with tokens from the endpoint (asked for as ManagedIdentityCredential asks),
/// pinned to Azurite's certificate, and without retries so a refusal surfaces at once.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public AzuriteServer Azurite { get; private set; } = null!;

    public FakeManagedIdentityEndpoint Identity { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Identity = await FakeManagedIdentityEndpoint.StartAsync("unused-vault-token");
        Azurite = await AzuriteServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (Azurite is not null)
        {
            await Azurite.DisposeAsync();
        }

        if (Identity is not null)
        {
            await Identity.DisposeAsync();
        }
    }

    /// <summary>A blob service client with a token credential: the managed identity's unless another is given.</summary>
    public BlobServiceClient Blobs(TokenCredential? credential = null) => Azurite.Blobs(credential ?? new IdentityEndpointCredential(Identity));

    /// <summary>A table service client with a token credential, the managed identity's unless another is given, and <paramref name="perCall"/> seeing each request.</summary>
    public TableServiceClient Tables(TokenCredential? credential = null, HttpPipelinePolicy? perCall = null) =>
        Azurite.Tables(credential ?? new IdentityEndpointCredential(Identity), perCall);

    public BlobClientOptions BlobOptions() => Azurite.BlobOptions();

    public TableClientOptions TableOptions() => Azurite.TableOptions();
}
