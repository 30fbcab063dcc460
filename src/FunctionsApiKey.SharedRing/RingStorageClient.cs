using Azure.Core;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace FunctionsApiKey.SharedRing;

/// <summary>
/// The storage connection as the Functions host reads <c>AzureWebJobsStorage</c>: the section's value is a connection
/// string; otherwise <c>blobServiceUri</c> (or <c>serviceUri</c>) or <c>accountName</c> names the account, reached with
/// the section's credential settings (<c>credential=managedidentity</c>, <c>clientId</c>).
/// </summary>
internal static class RingStorageClient
{
    private static readonly char[] Separators = [' ', ',', '\t', '\r', '\n'];

    public static bool IsConfigured(IConfigurationSection connection) =>
        !string.IsNullOrEmpty(connection.Value) || ServiceUri(connection) is not null;

    public static BlobServiceClient Create(IConfigurationSection connection, TokenCredential credential, BlobClientOptions options) =>
        !string.IsNullOrEmpty(connection.Value)
            ? new BlobServiceClient(connection.Value, options)
            : new BlobServiceClient(ServiceUri(connection) ?? throw new InvalidOperationException($"{connection.Path} is not configured."), credential, options);

    public static string[] VerificationKeyTexts(string? keys) =>
        string.IsNullOrWhiteSpace(keys) ? [] : keys.Split(Separators, StringSplitOptions.RemoveEmptyEntries);

    private static Uri? ServiceUri(IConfigurationSection connection) =>
        (connection["blobServiceUri"] ?? connection["serviceUri"]) is { Length: > 0 } uri ? new Uri(uri)
        : connection["accountName"] is { Length: > 0 } account ? new Uri($"https://{account}.blob.core.windows.net")
        : null;
}
