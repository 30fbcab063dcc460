namespace FunctionsApiKey;

/// <summary>What one load of an <see cref="IApiKeySource"/> found: the keys, or that nothing changed.</summary>
public sealed class ApiKeyLoadResult
{
    private ApiKeyLoadResult(IReadOnlyList<ApiKey>? keys, DateTimeOffset? asOf)
    {
        Keys = keys;
        AsOf = asOf;
    }

    /// <summary>The keys the source holds now, from which the key ring is rebuilt; null when nothing changed.</summary>
    public IReadOnlyList<ApiKey>? Keys { get; }

    /// <summary>
    /// When the keys were last known to match their store, e.g. when a cache of them was last checked; null means
    /// now. The ring's age, which <see cref="ApiKeyOptions.MaxKeyRingAge"/> limits, counts from it.
    /// </summary>
    public DateTimeOffset? AsOf { get; }

    /// <summary>The keys the source holds now.</summary>
    /// <param name="keys">Every usable key.</param>
    /// <param name="asOf">When they were last known to match their store; null means now.</param>
    public static ApiKeyLoadResult Loaded(IReadOnlyList<ApiKey> keys, DateTimeOffset? asOf = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new ApiKeyLoadResult(keys, asOf);
    }

    /// <summary>
    /// Nothing changed since the source's last load: the ring in force stays, without being rebuilt, and its age
    /// counts from <paramref name="asOf"/>.
    /// </summary>
    /// <param name="asOf">When the keys were last known to match their store; null means now.</param>
    public static ApiKeyLoadResult Unchanged(DateTimeOffset? asOf = null) => new(null, asOf);
}
