namespace FunctionsApiKey;

/// <summary>
/// Where last-use times go, e.g. a table every instance writes to. The gate hands it, at most once a minute per
/// instance, the keys used in a later minute than it last handed over; the store keeps the latest time per key.
/// </summary>
public interface ILastUseStore
{
    /// <summary>
    /// Records these times. A stored time must only move forward: another instance may have written a later one.
    /// Throwing leaves the times with the instance, to be handed over again on the next round.
    /// </summary>
    /// <param name="uses">One entry per key, each key once.</param>
    /// <param name="cancellationToken">Cancelled when the app stops.</param>
    /// <returns>A task that completes when the store holds the times.</returns>
    Task RecordAsync(IReadOnlyList<KeyLastUse> uses, CancellationToken cancellationToken);
}
