namespace FunctionsApiKey;

/// <summary>
/// Where request counts per key per hour go, e.g. a table every instance writes to, and where quotas read what the other
/// instances allowed. The gate hands it, at most once a minute per instance, this instance's totals of each hour that
/// changed, under a name unique to the instance's process.
/// </summary>
/// <remarks>
/// Keep one record per instance, key and hour and replace it on each write: a round that failed half way, or that the
/// store applied but did not acknowledge, is handed over again with the same or larger totals, and replacing makes it
/// count once. Adding increments instead would count such a round twice.
/// </remarks>
public interface IUsageStore
{
    /// <summary>Stores this instance's totals, replacing what it wrote before for the same key and hour.</summary>
    /// <param name="instance">The writing instance: letters and digits, the same for the life of its process.</param>
    /// <param name="counts">One entry per key and hour, each once.</param>
    /// <param name="cancellationToken">Cancelled when the app stops.</param>
    /// <returns>A task that completes when the store holds the totals; throwing leaves them to be handed over again.</returns>
    Task RecordAsync(string instance, IReadOnlyList<KeyUsage> counts, CancellationToken cancellationToken);

    /// <summary>
    /// The allowed requests of <paramref name="keyNames"/> in the hours from <paramref name="periodStart"/> up to
    /// <paramref name="periodEnd"/>, summed over every instance except <paramref name="excludingInstance"/>, which counts its
    /// own in memory.
    /// </summary>
    /// <param name="keyNames">The keys of one quota: one key, or every key of one owner.</param>
    /// <param name="periodStart">The start of the first hour (UTC).</param>
    /// <param name="periodEnd">The end of the last hour (UTC), exclusive.</param>
    /// <param name="excludingInstance">The asking instance.</param>
    /// <param name="cancellationToken">Cancelled when the app stops.</param>
    /// <returns>The sum; 0 when nothing is stored yet.</returns>
    Task<long> CountAllowedAsync(IReadOnlyList<string> keyNames, DateTimeOffset periodStart, DateTimeOffset periodEnd, string excludingInstance, CancellationToken cancellationToken);
}
