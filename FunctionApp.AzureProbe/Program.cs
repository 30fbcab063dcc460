using Azure;
using Azure.Data.Tables;
using Azure.Security.KeyVault.Secrets;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

// Reaches the storage account of connection <connection> (and, if named, a vault's secret) by managed identity, the way
// an app configured only by environment variables would, and prints what it read back:
//   FunctionApp.AzureProbe <connection> <text> [<vault uri> <secret name>]
// The credential comes from the connection's settings (`__credential`, `__clientId`) through Microsoft.Extensions.Azure,
// as FunctionsApiKey.KeyVault makes its own; the endpoints from `__blobServiceUri` and `__tableServiceUri`, as set for an
// identity-based connection in Azure.
if (args.Length is not (2 or 4))
{
    Console.Error.WriteLine("Usage: FunctionApp.AzureProbe <connection> <text> [<vault uri> <secret name>]");
    return 2;
}

var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
var services = new ServiceCollection();
services.AddAzureClientsCore();
using var provider = services.BuildServiceProvider();
var connection = configuration.GetSection(args[0]);
var credential = provider.GetRequiredService<AzureComponentFactory>().CreateTokenCredential(connection);
var text = args[1];
try
{
    var container = new BlobServiceClient(new Uri(connection["blobServiceUri"]!), credential).GetBlobContainerClient("probe");
    await container.CreateIfNotExistsAsync();
    var blob = container.GetBlobClient("probe.txt");
    await blob.UploadAsync(BinaryData.FromString(text), overwrite: true);
    Console.WriteLine("blob: " + (await blob.DownloadContentAsync()).Value.Content);

    var table = new TableServiceClient(new Uri(connection["tableServiceUri"]!), credential).GetTableClient("probe");
    await table.CreateIfNotExistsAsync();
    await table.UpsertEntityAsync(new TableEntity("probe", "row") { ["Text"] = text });
    Console.WriteLine("entity: " + (await table.GetEntityAsync<TableEntity>("probe", "row")).Value.GetString("Text"));

    if (args.Length == 4)
    {
        var secret = await new SecretClient(new Uri(args[2]), credential).GetSecretAsync(args[3]);
        Console.WriteLine("secret: " + secret.Value.Value);
    }

    return 0;
}
catch (RequestFailedException ex)
{
    Console.Error.WriteLine($"{ex.Status} {ex.ErrorCode}: {ex.Message}");
    return 1;
}
