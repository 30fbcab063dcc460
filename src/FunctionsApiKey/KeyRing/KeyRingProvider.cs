namespace FunctionsApiKey.KeyRing;

/// <summary>
/// Holds the key ring in force. The refresher publishes a new snapshot with one reference swap; readers never lock.
/// Requests that arrive while the first load is under way can wait for it; once that attempt has failed, waiting
/// would only pile up connections, so until a ring loads every caller is told at once that there is none.
/// </summary>
internal sealed class KeyRingProvider(TimeProvider timeProvider)
{
    // Completes with the first ring, or with null when the first attempt fails.
    private readonly TaskCompletionSource<KeyRingSnapshot?> _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile KeyRingSnapshot? _current;

    /// <summary>The ring in force, or null while none has ever loaded.</summary>
    public KeyRingSnapshot? Current => _current;

    public void Publish(KeyRingSnapshot ring)
    {
        _current = ring;
        _firstAttempt.TrySetResult(ring);
    }

    /// <summary>A load failed. If no ring has loaded yet, requests waiting for one get none, and later ones do not wait.</summary>
    public void ReportFailedLoad() => _firstAttempt.TrySetResult(null);

    /// <summary>
    /// The ring in force. While the first load is still under way, waits up to <paramref name="timeout"/> for it;
    /// returns null if it fails, does not come in time, or already failed. Completes synchronously (without
    /// allocating) once a ring exists.
    /// </summary>
    public ValueTask<KeyRingSnapshot?> GetAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var ring = _current;
        if (ring is not null || _firstAttempt.Task.IsCompleted)
        {
            return ValueTask.FromResult(ring);
        }

        return WaitForFirstAsync(timeout, cancellationToken);
    }

    private async ValueTask<KeyRingSnapshot?> WaitForFirstAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await _firstAttempt.Task.WaitAsync(timeout, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }
}
