namespace FunctionsApiKey.Redis;

/// <summary>Names the Redis rate-limit store uses.</summary>
public static class RedisRateLimitDefaults
{
    /// <summary>The configuration section, under <c>ApiKeys</c>.</summary>
    public const string SectionName = "ApiKeys:Redis";

    /// <summary>The start of every key the store writes; a partition's key is this followed by the partition, e.g. <c>apikeys:rate:owner:acme</c>.</summary>
    public const string KeyPrefix = "apikeys:rate:";

    /// <summary>The scope of the Microsoft Entra token Azure Managed Redis accepts.</summary>
    public const string TokenScope = "https://redis.azure.com/.default";
}
