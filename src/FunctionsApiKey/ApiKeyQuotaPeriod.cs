namespace FunctionsApiKey;

/// <summary>The UTC calendar period of an <see cref="ApiKeyQuota"/>.</summary>
public enum ApiKeyQuotaPeriod
{
    /// <summary>A UTC day, from midnight to midnight.</summary>
    Day,

    /// <summary>A UTC calendar month, from midnight on the 1st.</summary>
    Month,
}
