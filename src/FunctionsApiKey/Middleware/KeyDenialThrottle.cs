using System.Collections.Concurrent;

namespace FunctionsApiKey.Middleware;

/// <summary>
/// Bounds the Information lines about denied known keys to one per key per <see cref="Window"/>. Without it anyone
/// holding a revoked or expired key could write a log line per request, and such denials would answer measurably
/// slower than unknown keys (a line shipped to the host costs tens of microseconds). The denials in between are
/// counted here, reported in the next line, and counted by the <c>apikey.decisions</c> metric as always.
/// </summary>
internal sealed class KeyDenialThrottle(TimeProvider timeProvider)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // Keys are names from the key ring, so the map is bounded by the keys ever loaded; it is pruned past this size in
    // case many keys come and go in a long-running process.
    private const int PruneAbove = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly long _windowTicks = (long)(Window.TotalSeconds * timeProvider.TimestampFrequency);

    /// <summary>
    /// Whether this denial of <paramref name="keyName"/> gets an Information line; if so, <paramref name="unlogged"/>
    /// is how many denials of the key went without one since the last.
    /// </summary>
    public bool ShouldLog(string keyName, out int unlogged)
    {
        var now = timeProvider.GetTimestamp();
        if (!_entries.TryGetValue(keyName, out var entry))
        {
            if (_entries.Count >= PruneAbove)
            {
                Prune(now);
            }

            entry = _entries.GetOrAdd(keyName, static _ => new Entry());
        }

        lock (entry)
        {
            if (entry.Logged && now - entry.LastLogged < _windowTicks)
            {
                entry.Unlogged++;
                unlogged = 0;
                return false;
            }

            unlogged = entry.Unlogged;
            entry.Unlogged = 0;
            entry.LastLogged = now;
            entry.Logged = true;
            return true;
        }
    }

    private void Prune(long now)
    {
        foreach (var (name, entry) in _entries)
        {
            if (now - Volatile.Read(ref entry.LastLogged) >= _windowTicks)
            {
                _entries.TryRemove(name, out _);
            }
        }
    }

    private sealed class Entry
    {
        public long LastLogged;
        public int Unlogged;
        public bool Logged;
    }
}
