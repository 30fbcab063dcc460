using Microsoft.Extensions.Configuration;

namespace FunctionsApiKey;

/// <summary>
/// A storage connection setting read as the Functions host reads <c>AzureWebJobsStorage</c>, for every package that
/// reaches Azure Storage: the section's value is a connection string; otherwise <c>&lt;service&gt;ServiceUri</c> (or
/// <c>serviceUri</c>) or <c>accountName</c> names the account, reached with the section's credential settings
/// (<c>credential=managedidentity</c>, <c>clientId</c>).
/// </summary>
public static class StorageConnection
{
    /// <summary>The connection string, when the section's value is one; otherwise null.</summary>
    /// <param name="connection">The connection's configuration section, such as <c>AzureWebJobsStorage</c>.</param>
    public static string? ConnectionString(IConfigurationSection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return string.IsNullOrEmpty(connection.Value) ? null : connection.Value;
    }

    /// <summary>The endpoint of an identity-based connection for one service, or null when the section names none.</summary>
    /// <param name="connection">The connection's configuration section.</param>
    /// <param name="service">The service: <c>blob</c>, <c>table</c> or <c>queue</c>.</param>
    public static Uri? ServiceUri(IConfigurationSection connection, string service)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return (connection[$"{service}ServiceUri"] ?? connection["serviceUri"]) is { Length: > 0 } uri ? new Uri(uri)
            : connection["accountName"] is { Length: > 0 } account ? new Uri($"https://{account}.{service}.core.windows.net")
            : null;
    }

    /// <summary>Whether the section names an account for <paramref name="service"/> at all.</summary>
    /// <param name="connection">The connection's configuration section.</param>
    /// <param name="service">The service: <c>blob</c>, <c>table</c> or <c>queue</c>.</param>
    public static bool IsConfigured(IConfigurationSection connection, string service) =>
        ConnectionString(connection) is not null || ServiceUri(connection, service) is not null;

    /// <summary>What to set when <see cref="IsConfigured"/> is false, naming the section and the setting that points at it.</summary>
    /// <param name="connection">The connection's configuration section.</param>
    /// <param name="service">The service: <c>blob</c>, <c>table</c> or <c>queue</c>.</param>
    /// <param name="setting">The setting that names the connection, such as <c>ApiKeys:LastUseConnection</c>.</param>
    public static string NotConfigured(IConfigurationSection connection, string service, string setting)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return $"the storage connection '{connection.Path}' ({setting}) is not configured: set it to a connection string, or set {connection.Path}__{service}ServiceUri";
    }

    /// <summary>
    /// A client of one service for the connection: from its connection string, or, for an identity-based connection,
    /// from the service's endpoint. Throws <see cref="InvalidOperationException"/> saying what to set when it names neither.
    /// </summary>
    /// <typeparam name="TClient">The Azure SDK client, such as <c>TableServiceClient</c>.</typeparam>
    /// <param name="connection">The connection's configuration section.</param>
    /// <param name="service">The service: <c>blob</c>, <c>table</c> or <c>queue</c>.</param>
    /// <param name="setting">The setting that names the connection, for the message.</param>
    /// <param name="withConnectionString">Creates the client from a connection string.</param>
    /// <param name="withIdentity">Creates the client for the service's endpoint, signing in with the connection's credential.</param>
    public static TClient CreateClient<TClient>(IConfigurationSection connection, string service, string setting, Func<string, TClient> withConnectionString, Func<Uri, TClient> withIdentity)
    {
        ArgumentNullException.ThrowIfNull(withConnectionString);
        ArgumentNullException.ThrowIfNull(withIdentity);
        return ConnectionString(connection) is { } connectionString
            ? withConnectionString(connectionString)
            : withIdentity(ServiceUri(connection, service) ?? throw new InvalidOperationException(NotConfigured(connection, service, setting)));
    }
}
