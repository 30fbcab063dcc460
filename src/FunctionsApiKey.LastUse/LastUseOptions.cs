namespace FunctionsApiKey.LastUse;

/// <summary>
/// Where last-use times are kept, bound from the <c>ApiKeys</c> section (<c>ApiKeys__LastUseConnection</c>,
/// <c>ApiKeys__LastUseTable</c>, <c>ApiKeys__UsageTable</c>).
/// </summary>
public sealed class LastUseOptions
{
    /// <summary>
    /// The name of the storage connection, read as the Functions host reads <c>AzureWebJobsStorage</c>: a connection
    /// string, or <c>&lt;name&gt;__tableServiceUri</c> (or <c>__accountName</c>) with <c>__credential=managedidentity</c>.
    /// </summary>
    public string LastUseConnection { get; set; } = "AzureWebJobsStorage";

    /// <summary>The table, created on first use if it does not exist.</summary>
    public string LastUseTable { get; set; } = LastUseDefaults.TableName;

    /// <summary>
    /// The table of request counts per key and hour (<c>ApiKeys__UsageTable</c>), in the same storage account; created
    /// on first use if it does not exist. Quotas read it to hold across instances.
    /// </summary>
    public string UsageTable { get; set; } = LastUseDefaults.UsageTableName;
}
