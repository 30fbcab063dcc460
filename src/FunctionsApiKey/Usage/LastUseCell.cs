namespace FunctionsApiKey.Usage;

/// <summary>
/// One key's last use in this instance, as a minute number (minutes since the Unix epoch), and the last minute written
/// to the store. A request writes only when the minute changes, so keys in constant use do not bounce a cache line
/// between cores; a cell is shared by every snapshot the key is in, so a reload loses nothing.
/// </summary>
internal sealed class LastUseCell(string keyName)
{
    private long _used;
    private long _written;

    public string KeyName { get; } = keyName;

    public long UsedMinute => Volatile.Read(ref _used);

    public long WrittenMinute => Volatile.Read(ref _written);

    /// <summary>Notes a use in <paramref name="minute"/>; only ever moves forward.</summary>
    public void Record(long minute) => Advance(ref _used, minute);

    /// <summary>The store now holds <paramref name="minute"/> or later for this key.</summary>
    public void MarkWritten(long minute) => Advance(ref _written, minute);

    // Moves the field forward to value, never back, whoever else moves it at the same time.
    private static void Advance(ref long field, long value)
    {
        var current = Volatile.Read(ref field);
        while (value > current && Interlocked.CompareExchange(ref field, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }
}
