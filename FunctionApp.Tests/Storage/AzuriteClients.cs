using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using FunctionApp.Testing.Storage;

namespace FunctionApp.Tests.Storage;

/// <summary>
/// The real Storage clients a test points at an Azurite, whoever started it (<see cref="AzuriteFixture"/>, or
/// <c>FakeAzureEnvironment</c>): pinned to its certificate and without retries, so a refusal surfaces at once; with a
/// token (the managed identity's, as the app signs in), or with the account key of its connection string (the
/// shared-key path of local development, as anyone holding the key reaches storage).
/// </summary>
internal static class AzuriteClients
{
    public static BlobServiceClient Blobs(this AzuriteServer azurite, TokenCredential credential) =>
        new(azurite.BlobServiceUri, credential, azurite.BlobOptions());

    /// <param name="azurite">The emulator.</param>
    /// <param name="credential">Whose tokens it sends.</param>
    /// <param name="perCall">A policy that sees each request, e.g. to count them; none when null.</param>
    public static TableServiceClient Tables(this AzuriteServer azurite, TokenCredential credential, HttpPipelinePolicy? perCall = null)
    {
        var options = azurite.TableOptions();
        if (perCall is not null)
        {
            options.AddPolicy(perCall, HttpPipelinePosition.PerCall);
        }

        return new(azurite.TableServiceUri, credential, options);
    }

    public static BlobServiceClient BlobsByAccountKey(this AzuriteServer azurite) => new(azurite.ConnectionString, azurite.BlobOptions());

    public static TableServiceClient TablesByAccountKey(this AzuriteServer azurite) => new(azurite.ConnectionString, azurite.TableOptions());

    public static BlobClientOptions BlobOptions(this AzuriteServer azurite) => new() { Transport = azurite.CreateTransport(), Retry = { MaxRetries = 0 } };

    public static TableClientOptions TableOptions(this AzuriteServer azurite) => new() { Transport = azurite.CreateTransport(), Retry = { MaxRetries = 0 } };
}
