namespace FunctionsApiKey.LastUse;

/// <summary>Names the last-use and usage tables keep, so the app and tools that read it agree.</summary>
public static class LastUseDefaults
{
    /// <summary>The default table.</summary>
    public const string TableName = "apikeylastuse";

    /// <summary>The default table of request counts per key and hour.</summary>
    public const string UsageTableName = "apikeyusage";

    /// <summary>The name the package's <c>TableServiceClient</c> is registered under (<c>IAzureClientFactory&lt;TableServiceClient&gt;</c>).</summary>
    public const string ClientName = "FunctionsApiKey.LastUse";
}
