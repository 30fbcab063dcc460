using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Testing.Storage;

namespace FunctionApp.Tests.Storage;

/// <summary>
/// One Azurite and one managed identity endpoint for a test class, with the real Storage clients pointed at them:
/// by default with tokens from the endpoint (asked for as ManagedIdentityCredential asks), pinned to Azurite's
/// certificate, and without retries so a refusal surfaces at once.
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
    public BlobServiceClient Blobs(TokenCredential? credential = null) =>
        new(Azurite.BlobServiceUri, credential ?? new IdentityEndpointCredential(Identity), BlobOptions());

    public TableServiceClient Tables(TokenCredential? credential = null) =>
        new(Azurite.TableServiceUri, credential ?? new IdentityEndpointCredential(Identity), TableOptions());

    public BlobClientOptions BlobOptions() => new() { Transport = Azurite.CreateTransport(), Retry = { MaxRetries = 0 } };

    public TableClientOptions TableOptions() => new() { Transport = Azurite.CreateTransport(), Retry = { MaxRetries = 0 } };
}
