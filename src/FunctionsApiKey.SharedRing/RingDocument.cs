using FunctionsApiKey.KeyVault;

namespace FunctionsApiKey.SharedRing;

/// <summary>
/// The key ring one publisher writes for every instance: each <c>apikey-*</c> secret of the vault as the publisher's
/// last load left it (the key, its attributes, and what the next incremental load needs).
/// </summary>
/// <param name="Generation">Grows with every new ring; an instance never goes back to a lower one.</param>
/// <param name="PublishedAt">When the publisher read the vault for this ring.</param>
/// <param name="SecretPrefix">The prefix of the secret names, which key names leave out.</param>
/// <param name="Entries">Every secret, ordered by name.</param>
internal sealed record RingDocument(long Generation, DateTimeOffset PublishedAt, string SecretPrefix, IReadOnlyList<VaultEntry> Entries)
{
    /// <summary>The keys instances use: the entries that are not excluded.</summary>
    public IReadOnlyList<FunctionsApiKey.KeyRing.ApiKey> Keys => VaultEntry.UsableKeys(Entries);

    /// <summary>Whether the entries are the same as <paramref name="entries"/>, in the same order: then nothing needs publishing.</summary>
    public bool HasEntries(IReadOnlyList<VaultEntry> entries) => Entries.SequenceEqual(entries);
}

/// <summary>The publisher's word that the ring of <paramref name="Generation"/> still matched the vault at <paramref name="CheckedAt"/>.</summary>
internal sealed record RingHeartbeat(long Generation, DateTimeOffset CheckedAt);
