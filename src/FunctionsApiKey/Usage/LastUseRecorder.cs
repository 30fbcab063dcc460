using System.Collections.Concurrent;

namespace FunctionsApiKey.Usage;

/// <summary>
/// Last use per key name in this instance, to the minute: the gate notes an allowed request in the key's
/// <see cref="LastUseCell"/> (no I/O, no allocation), and <see cref="LastUseWriter"/> takes what changed to the store.
/// Registered only when a last-use store is, so without one no cell exists.
/// </summary>
internal sealed class LastUseRecorder
{
    private readonly ConcurrentDictionary<string, LastUseCell> _cells = new(StringComparer.Ordinal);

    /// <summary>The cell of <paramref name="keyName"/>, the same one for every snapshot it is in.</summary>
    public LastUseCell CellFor(string keyName) => _cells.GetOrAdd(keyName, static name => new LastUseCell(name));

    /// <summary>Keys used in a later minute than the store last took from this instance.</summary>
    public List<KeyLastUse> Changes()
    {
        var changes = new List<KeyLastUse>();
        foreach (var cell in _cells.Values)
        {
            var used = cell.UsedMinute;
            if (used > cell.WrittenMinute)
            {
                changes.Add(new KeyLastUse(cell.KeyName, DateTimeOffset.UnixEpoch.AddMinutes(used)));
            }
        }

        return changes;
    }

    /// <summary>The store holds these times now; a later use shows up as a change again.</summary>
    public void MarkWritten(IEnumerable<KeyLastUse> written)
    {
        foreach (var use in written)
        {
            if (_cells.TryGetValue(use.KeyName, out var cell))
            {
                cell.MarkWritten(MinuteOf(use.LastUsed));
            }
        }
    }

    /// <summary>Drops the cells of keys no longer in the ring (<paramref name="isInRing"/> false) once nothing of theirs is left to write.</summary>
    public void Forget(Func<string, bool> isInRing)
    {
        foreach (var (name, cell) in _cells)
        {
            if (!isInRing(name) && cell.UsedMinute <= cell.WrittenMinute)
            {
                _cells.TryRemove(KeyValuePair.Create(name, cell));
            }
        }
    }

    /// <summary>Whole minutes since the Unix epoch.</summary>
    public static long MinuteOf(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMinute;
}
