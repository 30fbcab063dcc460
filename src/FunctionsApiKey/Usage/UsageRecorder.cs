using System.Collections.Concurrent;

namespace FunctionsApiKey.Usage;

/// <summary>
/// Request counts per key name and UTC hour in this instance: the gate counts each request that presented a known key in
/// the key's <see cref="UsageCell"/> (no I/O, no allocation), and <see cref="UsageWriter"/> takes the totals that changed
/// to the store. Registered only when a usage store is, so without one no cell exists.
/// </summary>
internal sealed class UsageRecorder
{
    private readonly ConcurrentDictionary<string, UsageCell> _cells = new(StringComparer.Ordinal);

    /// <summary>This process's name in the store: new on every start, so a restarted instance never replaces the rows of its previous life.</summary>
    public string Instance { get; } = Guid.NewGuid().ToString("N");

    /// <summary>The cell of <paramref name="keyName"/>, the same one for every snapshot it is in.</summary>
    public UsageCell CellFor(string keyName) => _cells.GetOrAdd(keyName, static name => new UsageCell(name));

    /// <summary>Totals not yet written, per key and hour.</summary>
    public List<KeyUsage> Changes()
    {
        var changes = new List<KeyUsage>();
        foreach (var cell in _cells.Values)
        {
            cell.CollectChanges(changes);
        }

        return changes;
    }

    /// <summary>The store holds these totals now.</summary>
    public void MarkWritten(IEnumerable<KeyUsage> written)
    {
        foreach (var usage in written)
        {
            if (_cells.TryGetValue(usage.KeyName, out var cell))
            {
                cell.MarkWritten(usage);
            }
        }
    }

    /// <summary>Drops the cells of keys no longer in the ring once nothing of theirs is left to write.</summary>
    public void Forget(Func<string, bool> isInRing)
    {
        foreach (var (name, cell) in _cells)
        {
            if (!isInRing(name) && cell.IsWritten)
            {
                _cells.TryRemove(KeyValuePair.Create(name, cell));
            }
        }
    }
}
