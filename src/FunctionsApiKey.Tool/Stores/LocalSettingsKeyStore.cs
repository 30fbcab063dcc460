using System.Collections.Immutable;
using System.Globalization;
using FunctionsApiKey.KeySources;
using FunctionsApiKey.Tool.Cli;
using Microsoft.Extensions.Configuration;

namespace FunctionsApiKey.Tool.Stores;

/// <summary>
/// Keys in the <c>Values</c> of local.settings.json, for development without a vault, written as the app reads them
/// (<see cref="SettingsKeyReader"/>): <c>ApiKeys__Keys__&lt;name&gt;</c> = <c>sha256:…</c>, with <c>__Scopes</c>,
/// <c>__NotBefore</c>, <c>__ExpiresOn</c> and <c>__Enabled</c>, and other properties as <c>__&lt;Property&gt;</c>: those in
/// <paramref name="declared"/> are checked as the app checks them. Only the key's own settings change (<see cref="LocalSettingsFile"/>).
/// </summary>
internal sealed class LocalSettingsKeyStore(string file, IReadOnlyList<ApiKeyProperty> declared) : IKeyStore
{
    private const string Prefix = "ApiKeys__Keys__";

    public string Description => file;

    public Task<StoredKey?> FindAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(Read().FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase)));

    public Task<IReadOnlyList<StoredKey>> ListAsync(IProgress<int>? progress, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoredKey>>(Read());

    public Task CreateAsync(NewKey key, CancellationToken cancellationToken)
    {
        var settings = LocalSettingsFile.Read(file);
        if (Names(settings).Contains(key.Name, StringComparer.OrdinalIgnoreCase))
        {
            throw new ToolException(ExitCodes.NameTaken, $"A key named '{key.Name}' already exists in {file}; choose another name, or rotate it.");
        }

        settings.Set(Prefix + key.Name, key.StoredValue);
        settings.Set($"{Prefix}{key.Name}__Enabled", "false");
        settings.Set($"{Prefix}{key.Name}__Scopes", key.StoredScopes);
        foreach (var (name, value) in key.Properties)
        {
            settings.Set($"{Prefix}{key.Name}__{name}", value);
        }

        if (key.NotBefore is { } notBefore)
        {
            settings.Set($"{Prefix}{key.Name}__NotBefore", Iso(notBefore));
        }

        if (key.ExpiresOn is { } expiresOn)
        {
            settings.Set($"{Prefix}{key.Name}__ExpiresOn", Iso(expiresOn));
        }

        settings.Save();
        return Task.CompletedTask;
    }

    public Task UpdateAsync(string name, bool? enabled, DateTimeOffset? expiresOn, CancellationToken cancellationToken)
    {
        var settings = LocalSettingsFile.Read(file);
        var stored = Names(settings).FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ToolException(ExitCodes.NotFound, $"There is no key named '{name}' in {file}.");

        // Enabled is the default, so enabling removes the setting: a new key, stored revoked and enabled once handed
        // over, leaves no trace of that.
        if (enabled == true)
        {
            settings.Remove($"{Prefix}{stored}__Enabled");
        }
        else if (enabled == false)
        {
            settings.Set($"{Prefix}{stored}__Enabled", "false");
        }

        if (expiresOn is { } expiry)
        {
            settings.Set($"{Prefix}{stored}__ExpiresOn", Iso(expiry));
        }

        settings.Save();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<(ApiKey Key, bool Excluded)>> LoadAsTheAppDoesAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<(ApiKey, bool)>>([.. SettingsKeyReader.ReadEntries(Configuration(), declared).Where(e => e.Key is not null).Select(e => (e.Key!, e.Errors.Count > 0))]);

    // Through the app's own reader, so that a key it leaves out shows as left out, with its reason.
    private List<StoredKey> Read()
    {
        var configuration = Configuration();
        return [.. SettingsKeyReader.ReadEntries(configuration, declared).Select(entry => new StoredKey(
            entry.Name,
            entry.Errors.Count == 0 ? entry.Key!.Scopes : [],
            entry.Key is not { IsRevoked: true },
            entry.Key?.NotBefore,
            entry.Key?.ExpiresOn,
            Created: null,
            RotatedFrom: null,
            LeftOut: entry.Errors.Count == 0 ? null : string.Join(" ", entry.Errors),
            Properties(configuration, entry.Name)))];
    }

    // Every setting of the key but the built-in ones, declared or not, with a value of its own.
    private static ImmutableSortedDictionary<string, string> Properties(IConfiguration configuration, string keyName) =>
        configuration.GetSection(SettingsKeyReader.SectionPath).GetSection(keyName).GetChildren()
            .Where(child => child.Value is not null && !ApiKeyProperty.IsBuiltIn(child.Key))
            .ToImmutableSortedDictionary(child => child.Key, child => child.Value!, StringComparer.OrdinalIgnoreCase);

    private IConfiguration Configuration() =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(LocalSettingsFile.Read(file).Values.Select(v => KeyValuePair.Create(v.Key.Replace("__", ":", StringComparison.Ordinal), v.Value)))
            .Build();

    private static IEnumerable<string> Names(LocalSettingsFile settings) =>
        settings.Values.Select(v => v.Key)
            .Where(k => k.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            .Select(k => k[Prefix.Length..])
            .Where(k => !k.Contains("__", StringComparison.Ordinal));

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);
}
