using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;

namespace FunctionsApiKey.LastUse;

/// <summary>
/// The storage connection as the Functions host reads <c>AzureWebJobsStorage</c>: the section's value is a connection
/// string; otherwise <c>tableServiceUri</c> (or <c>serviceUri</c>) or <c>accountName</c> names the account, reached with
/// the section's credential settings (<c>credential=managedidentity</c>, <c>clientId</c>).
/// </summary>
internal static class LastUseStorageClient
{
    public static TableServiceClient Create(IConfigurationSection connection, TokenCredential credential, TableClientOptions options) =>
        !string.IsNullOrEmpty(connection.Value)
            ? new TableServiceClient(connection.Value, options)
            : new TableServiceClient(ServiceUri(connection) ?? throw new InvalidOperationException(NotConfigured(connection)), credential, options);

    /// <summary>Whether <paramref name="connection"/> names an account at all: a connection string, a service URI or an account name.</summary>
    public static bool IsConfigured(IConfigurationSection connection) =>
        !string.IsNullOrEmpty(connection.Value) || ServiceUri(connection) is not null;

    public static string NotConfigured(IConfigurationSection connection) =>
        $"the storage connection '{connection.Path}' (ApiKeys:LastUseConnection) is not configured: set it to a connection string, or set {connection.Path}__tableServiceUri";

    private static Uri? ServiceUri(IConfigurationSection connection) =>
        (connection["tableServiceUri"] ?? connection["serviceUri"]) is { Length: > 0 } uri ? new Uri(uri)
        : connection["accountName"] is { Length: > 0 } account ? new Uri($"https://{account}.table.core.windows.net")
        : null;
}
