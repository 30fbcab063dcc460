using FunctionsApiKey.Policies;
using FunctionsApiKey.Usage;
using System.Numerics;

namespace FunctionsApiKey.KeyRing;

/// <summary>
/// An immutable snapshot of the loaded keys, looked up by hash. Lookups take the same few steps at any size and
/// allocate nothing: an open-addressing table indexed by the first bytes of the SHA-256, each candidate compared in
/// constant time.
/// </summary>
internal sealed class KeyRingSnapshot
{
    private readonly ApiKey?[] _slots;

    // Beside the slots, each key's last-use cell; null when no last-use store is registered.
    private readonly LastUseCell?[]? _uses;

    // Beside the slots, each key's request counts; null when no usage store is registered.
    private readonly UsageCell?[]? _counts;

    // Beside the slots, each key's policy (address, rate limit, quota); null when no key has one.
    private readonly KeyPolicy?[]? _policies;
    private readonly int _mask;

    private KeyRingSnapshot(ApiKey?[] slots, LastUseCell?[]? uses, UsageCell?[]? counts, KeyPolicy?[]? policies, int count, string source, DateTimeOffset asOf)
    {
        _slots = slots;
        _uses = uses;
        _counts = counts;
        _policies = policies;
        _mask = slots.Length - 1;
        Count = count;
        Source = source;
        AsOf = asOf;
    }

    /// <summary>How many keys the ring holds.</summary>
    public int Count { get; }

    /// <summary>Where the keys came from ("settings" or "keyvault"), for logs and metrics.</summary>
    public string Source { get; }

    /// <summary>When its keys were last known to match their source; the ring's age counts from it.</summary>
    public DateTimeOffset AsOf { get; }

    /// <summary>
    /// Builds a ring. Two keys with the same value cannot be told apart by a caller, and keeping either would let load
    /// order decide whether an expired, revoked or narrower entry shadows a valid one; so neither is kept, the value
    /// is refused like an unknown key, and the names of each such group are returned in <paramref name="duplicates"/>.
    /// </summary>
    public static KeyRingSnapshot Create(IEnumerable<ApiKey> keys, string source, DateTimeOffset asOf, out IReadOnlyList<IReadOnlyList<string>> duplicates) =>
        Create(keys, source, asOf, lastUse: null, out duplicates);

    /// <summary>
    /// Builds a ring as above whose allowed requests are noted in <paramref name="lastUse"/>, if given; cells of keys
    /// that left the ring are dropped there once written.
    /// </summary>
    public static KeyRingSnapshot Create(IEnumerable<ApiKey> keys, string source, DateTimeOffset asOf, LastUseRecorder? lastUse, out IReadOnlyList<IReadOnlyList<string>> duplicates) =>
        Create(keys, source, asOf, lastUse, policies: null, out duplicates);

    /// <summary>
    /// Builds a ring as above whose keys' policies (<see cref="ApiKeyPolicies"/>) are compiled by, and counted in,
    /// <paramref name="policies"/>; a key whose policy does not read is left out.
    /// </summary>
    public static KeyRingSnapshot Create(IEnumerable<ApiKey> keys, string source, DateTimeOffset asOf, LastUseRecorder? lastUse, PolicyBook? policies, out IReadOnlyList<IReadOnlyList<string>> duplicates) =>
        Create(keys, source, asOf, lastUse, usage: null, policies, out duplicates);

    /// <summary>As above, with each request that presents one of its keys counted in <paramref name="usage"/>, if given.</summary>
    public static KeyRingSnapshot Create(IEnumerable<ApiKey> keys, string source, DateTimeOffset asOf, LastUseRecorder? lastUse, UsageRecorder? usage, PolicyBook? policies, out IReadOnlyList<IReadOnlyList<string>> duplicates)
    {
        IReadOnlyCollection<ApiKey> list = keys as IReadOnlyCollection<ApiKey> ?? keys.ToList();
        Dictionary<ApiKey, KeyPolicy>? compiled = null;
        if (policies is not null)
        {
            compiled = policies.Compile(list, source, out var refused);
            if (refused.Count > 0)
            {
                list = [.. list.Where(k => !refused.Contains(k))];
            }
        }

        var slots = Fill(list, out var conflicts);
        var count = list.Count;
        duplicates = [];
        if (conflicts is not null)
        {
            // Rare (a configuration mistake): build again without any key whose value is shared.
            var unique = list.Where(k => !conflicts.ContainsKey(k.Hash)).ToList();
            duplicates = [.. conflicts.Values.Select(names => (IReadOnlyList<string>)[.. names.Order(StringComparer.Ordinal)]).OrderBy(names => names[0], StringComparer.Ordinal)];
            slots = Fill(unique, out _);
            count = unique.Count;
        }

        return new KeyRingSnapshot(slots, lastUse is null ? null : CellsFor(slots, lastUse.CellFor, lastUse.Forget), usage is null ? null : CellsFor(slots, usage.CellFor, usage.Forget), compiled is { Count: > 0 } ? PoliciesFor(slots, compiled) : null, count, source, asOf);
    }

    private static KeyPolicy?[] PoliciesFor(ApiKey?[] slots, Dictionary<ApiKey, KeyPolicy> compiled)
    {
        var policies = new KeyPolicy?[slots.Length];
        for (var i = 0; i < slots.Length; i++)
        {
            if (slots[i] is { } key)
            {
                policies[i] = compiled.GetValueOrDefault(key);
            }
        }

        return policies;
    }

    /// <summary>
    /// Each slot's cell from its key's recorder (last use or request counts), shared with every snapshot the key is in;
    /// the recorder then drops the cells of keys that left the ring once it has written them.
    /// </summary>
    private static TCell?[] CellsFor<TCell>(ApiKey?[] slots, Func<string, TCell> cellFor, Action<Func<string, bool>> forget)
        where TCell : class
    {
        var cells = new TCell?[slots.Length];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < slots.Length; i++)
        {
            if (slots[i] is { } key)
            {
                cells[i] = cellFor(key.Name);
                names.Add(key.Name);
            }
        }

        forget(names.Contains);
        return cells;
    }

    /// <summary>The open-addressing table of <paramref name="keys"/>; keys whose hash is already in it are collected in <paramref name="conflicts"/>.</summary>
    private static ApiKey?[] Fill(IReadOnlyCollection<ApiKey> keys, out Dictionary<ApiKeyHash, List<string>>? conflicts)
    {
        // At most half full, so a miss ends after a couple of probes on average.
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(keys.Count * 2, 2));
        var slots = new ApiKey?[size];
        var mask = size - 1;
        conflicts = null;

        foreach (var key in keys)
        {
            var index = (int)(key.Hash.BucketSeed & (ulong)mask);
            while (slots[index] is { } occupant && !occupant.Hash.FixedTimeEquals(key.Hash))
            {
                index = (index + 1) & mask;
            }

            if (slots[index] is { } first)
            {
                conflicts ??= [];
                if (!conflicts.TryGetValue(key.Hash, out var names))
                {
                    conflicts[key.Hash] = names = [first.Name];
                }

                names.Add(key.Name);
                continue;
            }

            slots[index] = key;
        }

        return slots;
    }

    /// <summary>The same keys, known to match their source as of <paramref name="asOf"/>: no table is rebuilt.</summary>
    public KeyRingSnapshot ConfirmedAt(DateTimeOffset asOf) => new(_slots, _uses, _counts, _policies, Count, Source, asOf);

    /// <summary>Whether the ring is older than <paramref name="maxAge"/> at <paramref name="now"/>; a zero limit means never.</summary>
    public bool IsOlderThan(TimeSpan maxAge, DateTimeOffset now) => maxAge > TimeSpan.Zero && now - AsOf > maxAge;

    /// <summary>The slot of the key with this hash, or -1.</summary>
    public int FindSlot(in ApiKeyHash hash)
    {
        var slots = _slots;
        var index = (int)(hash.BucketSeed & (ulong)_mask);
        while (slots[index] is { } candidate)
        {
            if (candidate.Hash.FixedTimeEquals(hash))
            {
                return index;
            }

            index = (index + 1) & _mask;
        }

        return -1;
    }

    /// <summary>The key in a slot <see cref="FindSlot"/> returned.</summary>
    public ApiKey KeyAt(int slot) => _slots[slot]!;

    /// <summary>The policy of the key in a slot, or null when it has none.</summary>
    public KeyPolicy? PolicyAt(int slot) => _policies?[slot];

    /// <summary>Notes that the key in <paramref name="slot"/> was allowed a request at <paramref name="now"/>.</summary>
    public void RecordUse(int slot, DateTimeOffset now) => _uses?[slot]?.Record(LastUseRecorder.MinuteOf(now));

    /// <summary>Counts a request that presented the key in <paramref name="slot"/>, by what became of it.</summary>
    public void CountRequest(int slot, UsageKind kind, DateTimeOffset now) => _counts?[slot]?.Count(kind, UsageCell.HourOf(now));
}
