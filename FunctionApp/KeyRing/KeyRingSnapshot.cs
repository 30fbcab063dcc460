using System.Numerics;

namespace FunctionApp.KeyRing;

/// <summary>
/// An immutable snapshot of the loaded keys, looked up by hash. Lookups take the same few steps at any size and
/// allocate nothing: an open-addressing table indexed by the first bytes of the SHA-256, each candidate compared in
/// constant time.
/// </summary>
internal sealed class KeyRingSnapshot
{
    private readonly ApiKey?[] _slots;
    private readonly int _mask;

    private KeyRingSnapshot(ApiKey?[] slots, IReadOnlyList<ApiKey> keys, string source, DateTimeOffset loadedAt)
    {
        _slots = slots;
        _mask = slots.Length - 1;
        Keys = keys;
        Source = source;
        LoadedAt = loadedAt;
    }

    /// <summary>Every key in the ring, in load order.</summary>
    public IReadOnlyList<ApiKey> Keys { get; }

    public int Count => Keys.Count;

    /// <summary>Where the keys came from ("settings" or "keyvault"), for logs and metrics.</summary>
    public string Source { get; }

    public DateTimeOffset LoadedAt { get; }

    /// <summary>
    /// Builds a ring. Two keys with the same value cannot both be told apart by a caller, so only the first is kept
    /// and the names of the others are returned in <paramref name="duplicates"/>.
    /// </summary>
    public static KeyRingSnapshot Create(IEnumerable<ApiKey> keys, string source, DateTimeOffset loadedAt, out IReadOnlyList<string> duplicates)
    {
        var list = keys as IReadOnlyCollection<ApiKey> ?? keys.ToList();

        // At most half full, so a miss ends after a couple of probes on average.
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(list.Count * 2, 2));
        var slots = new ApiKey?[size];
        var mask = size - 1;
        var kept = new List<ApiKey>(list.Count);
        List<string>? dropped = null;

        foreach (var key in list)
        {
            var index = (int)(key.Hash.BucketSeed & (ulong)mask);
            var duplicate = false;
            while (slots[index] is { } occupant)
            {
                if (occupant.Hash.FixedTimeEquals(key.Hash))
                {
                    duplicate = true;
                    break;
                }

                index = (index + 1) & mask;
            }

            if (duplicate)
            {
                (dropped ??= []).Add(key.Name);
                continue;
            }

            slots[index] = key;
            kept.Add(key);
        }

        duplicates = dropped ?? (IReadOnlyList<string>)[];
        return new KeyRingSnapshot(slots, kept, source, loadedAt);
    }

    /// <summary>Whether the ring is older than <paramref name="maxAge"/> at <paramref name="now"/>; a zero limit means never.</summary>
    public bool IsOlderThan(TimeSpan maxAge, DateTimeOffset now) => maxAge > TimeSpan.Zero && now - LoadedAt > maxAge;

    /// <summary>Finds the key with this hash, or null.</summary>
    public ApiKey? Find(in ApiKeyHash hash)
    {
        var slots = _slots;
        var index = (int)(hash.BucketSeed & (ulong)_mask);
        while (slots[index] is { } candidate)
        {
            if (candidate.Hash.FixedTimeEquals(hash))
            {
                return candidate;
            }

            index = (index + 1) & _mask;
        }

        return null;
    }
}
