namespace FunctionsApiKey.Tool.Stores;

/// <summary>Where the keys are: a Key Vault, or local.settings.json for development.</summary>
internal interface IKeyStore
{
    /// <summary>For messages: <c>vault myvault.vault.azure.net</c>, or the settings file.</summary>
    string Description { get; }

    Task<StoredKey?> FindAsync(string name, CancellationToken cancellationToken);

    /// <param name="progress">Told how many entries have been read so far, for a progress display.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    Task<IReadOnlyList<StoredKey>> ListAsync(IProgress<int>? progress, CancellationToken cancellationToken);

    /// <summary>Stores a new key, revoked until <see cref="UpdateAsync"/> enables it (<see cref="Commands.KeyHandOver"/>); a name that is taken is refused.</summary>
    Task CreateAsync(NewKey key, CancellationToken cancellationToken);

    /// <summary>Changes an existing key's enabled flag or expiry; null leaves it as it is.</summary>
    Task UpdateAsync(string name, bool? enabled, DateTimeOffset? expiresOn, CancellationToken cancellationToken);

    /// <summary>Every key exactly as the app loads it, with whether the app leaves it out.</summary>
    Task<IReadOnlyList<(ApiKey Key, bool Excluded)>> LoadAsTheAppDoesAsync(CancellationToken cancellationToken);
}
