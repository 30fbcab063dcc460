using FunctionApp.KeyRing;

namespace FunctionApp.KeySources;

/// <summary>Where keys come from. The refresher calls <see cref="LoadAsync"/> at startup and on every interval.</summary>
internal interface IApiKeySource
{
    /// <summary>A short name for logs and metrics: "settings" or "keyvault".</summary>
    string Name { get; }

    /// <summary>
    /// Loads every key. Throws when the source cannot be read, so the caller keeps the ring it has; keys that are
    /// individually unusable are skipped (and logged by name) instead.
    /// </summary>
    Task<IReadOnlyList<ApiKey>> LoadAsync(CancellationToken cancellationToken);
}
