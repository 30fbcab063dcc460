namespace FunctionsApiKey.Usage;

/// <summary>
/// One key's request counts in this instance: the current UTC hour's three counts, bumped with <see cref="Interlocked"/>
/// (no lock, no allocation), and the totals of past hours not yet written. The first request of a new hour takes a
/// short lock to close the old one. A request racing that rollover may land in the new hour: counted once, an hour late.
/// A cell is shared by every snapshot the key is in, so a reload loses nothing.
/// </summary>
internal sealed class UsageCell(string keyName)
{
    private readonly Lock _lock = new();
    private long _hour = long.MinValue;
    private long _allowed;
    private long _denied;
    private long _overLimit;
    private List<KeyUsage>? _closed;

    // The current hour's totals as last written, so an unchanged cell is not written again.
    private (long Hour, long Allowed, long Denied, long OverLimit) _written = (long.MinValue, 0, 0, 0);

    public string KeyName { get; } = keyName;

    /// <summary>Counts one request of <paramref name="kind"/> in <paramref name="hour"/> (hours since the Unix epoch).</summary>
    public void Count(UsageKind kind, long hour)
    {
        if (Volatile.Read(ref _hour) != hour)
        {
            Roll(hour);
        }

        switch (kind)
        {
            case UsageKind.Allowed:
                Interlocked.Increment(ref _allowed);
                break;
            case UsageKind.Denied:
                Interlocked.Increment(ref _denied);
                break;
            default:
                Interlocked.Increment(ref _overLimit);
                break;
        }
    }

    /// <summary>The totals not yet written: closed hours, and the current hour if it changed since the last write.</summary>
    public void CollectChanges(List<KeyUsage> changes)
    {
        lock (_lock)
        {
            if (_closed is { Count: > 0 })
            {
                changes.AddRange(_closed);
            }

            var current = Current();
            if (current.Hour != long.MinValue && current != _written && (current.Allowed | current.Denied | current.OverLimit) != 0)
            {
                changes.Add(new KeyUsage(KeyName, HourStart(current.Hour), current.Allowed, current.Denied, current.OverLimit));
            }
        }
    }

    /// <summary>The store holds <paramref name="written"/> (totals of this key); closed hours written are dropped.</summary>
    public void MarkWritten(KeyUsage written)
    {
        var hour = HourOf(written.Hour);
        lock (_lock)
        {
            if (hour == _hour)
            {
                _written = (hour, written.Allowed, written.Denied, written.OverLimit);
            }
            else
            {
                _closed?.RemoveAll(c => c.Hour == written.Hour && c.Allowed == written.Allowed && c.Denied == written.Denied && c.OverLimit == written.OverLimit);
            }
        }
    }

    /// <summary>Whether everything counted is written.</summary>
    public bool IsWritten
    {
        get
        {
            lock (_lock)
            {
                var current = Current();
                return _closed is not { Count: > 0 } && (current == _written || (current.Allowed | current.Denied | current.OverLimit) == 0);
            }
        }
    }

    /// <summary>Whole hours since the Unix epoch.</summary>
    public static long HourOf(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerHour;

    /// <summary>The start of an hour <see cref="HourOf"/> returned.</summary>
    public static DateTimeOffset HourStart(long hour) => DateTimeOffset.UnixEpoch.AddHours(hour);

    private (long Hour, long Allowed, long Denied, long OverLimit) Current() =>
        (Volatile.Read(ref _hour), Volatile.Read(ref _allowed), Volatile.Read(ref _denied), Volatile.Read(ref _overLimit));

    private void Roll(long hour)
    {
        lock (_lock)
        {
            // Only forward: a request stamped just before a rollover another thread made counts in the newer hour.
            if (_hour >= hour)
            {
                return;
            }

            var (allowed, denied, overLimit) = (Interlocked.Exchange(ref _allowed, 0), Interlocked.Exchange(ref _denied, 0), Interlocked.Exchange(ref _overLimit, 0));
            if (_hour != long.MinValue && (allowed | denied | overLimit) != 0 && (_hour, allowed, denied, overLimit) != _written)
            {
                (_closed ??= []).Add(new KeyUsage(KeyName, HourStart(_hour), allowed, denied, overLimit));
            }

            Volatile.Write(ref _hour, hour);
        }
    }
}
