namespace FunctionsApiKey.Redis;

/// <summary>
/// Where the shared rate-limit counter is, bound from the <c>ApiKeys:Redis</c> section. Set one of the two; with
/// neither, rate limits are counted on each instance, as without the package.
/// </summary>
public sealed class RedisRateLimitOptions
{
    /// <summary>
    /// <c>host:port</c> of an Azure Managed Redis database (<c>ApiKeys__Redis__Endpoint</c>), reached over TLS as the
    /// app's managed identity (Microsoft Entra authentication, no password). <c>ApiKeys__Redis__ClientId</c> names a
    /// user-assigned identity, as <c>AZURE_CLIENT_ID</c> does.
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary>
    /// A StackExchange.Redis configuration string (<c>ApiKeys__Redis__ConnectionString</c>), e.g. <c>127.0.0.1:6379</c>
    /// or <c>host:port,password=…,ssl=true</c>: for local runs and tests.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Whether either setting is set.</summary>
    internal bool IsSet => !string.IsNullOrWhiteSpace(Endpoint) || !string.IsNullOrWhiteSpace(ConnectionString);
}
