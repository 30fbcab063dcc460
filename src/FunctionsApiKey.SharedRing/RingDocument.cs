using FunctionsApiKey.KeyVault;

namespace FunctionsApiKey.SharedRing;

/// <summary>
/// The key ring one publisher writes for every instance: each <c>apikey-*</c> secret of the vault as the publisher's
/// last load left it (the key, its attributes, and what the next incremental load needs).
/// </summary>
/// <param name="Generation">Grows with every new ring; an instance never goes back to a lower one.</param>
/// <param name="PublishedAt">When the publisher read the vault for this ring.</param>
/// <param name="Scope">Which secrets the ring is a copy of: the vault and the secret prefix (which key names leave out).</param>
/// <param name="Entries">Every secret, ordered by name.</param>
internal sealed record RingDocument(long Generation, DateTimeOffset PublishedAt, RingScope Scope, IReadOnlyList<VaultEntry> Entries)
{
    /// <summary>The keys instances use: the entries that are not excluded.</summary>
    public IReadOnlyList<ApiKey> Keys => VaultEntry.UsableKeys(Entries);

    /// <summary>Whether the entries are the same as <paramref name="entries"/>, in the same order: then nothing needs publishing.</summary>
    public bool HasEntries(IReadOnlyList<VaultEntry> entries) => Entries.SequenceEqual(entries);
}

/// <summary>
/// The publisher's word that the ring of <paramref name="Generation"/>, exactly the blob whose <see cref="RingCodec.Digest"/>
/// is <paramref name="RingDigest"/>, still matched the vault at <paramref name="CheckedAt"/>.
/// </summary>
internal sealed record RingHeartbeat(long Generation, string RingDigest, DateTimeOffset CheckedAt);
