namespace FunctionApp.KeyRing;

/// <summary>
/// Holds the key ring in force. The refresher publishes a new snapshot with one reference swap; readers never lock.
/// Until the first ring is published, callers can wait for it.
/// </summary>
internal sealed class KeyRingProvider(TimeProvider timeProvider)
{
    private readonly TaskCompletionSource<KeyRingSnapshot> _firstRing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile KeyRingSnapshot? _current;

    /// <summary>The ring in force, or null while none has ever loaded.</summary>
    public KeyRingSnapshot? Current => _current;

    public void Publish(KeyRingSnapshot ring)
    {
        _current = ring;
        _firstRing.TrySetResult(ring);
    }

    /// <summary>
    /// The ring in force; when none has loaded yet, waits up to <paramref name="timeout"/> for the first one and
    /// returns null if it does not come. Completes synchronously (without allocating) once a ring exists.
    /// </summary>
    public ValueTask<KeyRingSnapshot?> GetAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var ring = _current;
        return ring is not null ? ValueTask.FromResult<KeyRingSnapshot?>(ring) : WaitForFirstAsync(timeout, cancellationToken);
    }

    private async ValueTask<KeyRingSnapshot?> WaitForFirstAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await _firstRing.Task.WaitAsync(timeout, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }
}
