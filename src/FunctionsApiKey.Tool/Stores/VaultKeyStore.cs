using System.Collections.Immutable;
using Azure;
using Azure.Security.KeyVault.Secrets;
using FunctionsApiKey.KeyVault;
using FunctionsApiKey.Tool.Cli;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionsApiKey.Tool.Stores;

/// <summary>
/// Keys as Key Vault secrets, as the app reads them (<see cref="KeyVaultKeyLoader"/>): <c>&lt;prefix&gt;&lt;name&gt;</c>, the
/// value <c>sha256:…</c>, the <c>scopes</c> tag (<c>*</c> for every function), the secret's not-before, expiry and enabled
/// flag. <c>ApiKeys__KeysWithoutScopes</c> from the app's settings says what a secret without the tag means, as in the app.
/// Other properties are tags too; those in <paramref name="declared"/> are checked as the app checks them.
/// </summary>
internal sealed class VaultKeyStore(SecretClient client, string secretPrefix, KeysWithoutScopes withoutScopes, IReadOnlyList<ApiKeyProperty> declared) : IKeyStore
{
    /// <summary>The tag naming the key a rotation replaced.</summary>
    public const string RotatedFromTag = "rotated-from";

    public string Description => $"vault {client.VaultUri.Host}";

    public async Task<StoredKey?> FindAsync(string name, CancellationToken cancellationToken) =>
        await CurrentAsync(secretPrefix + name, cancellationToken).ConfigureAwait(false) is { } properties ? Describe(properties) : null;

    public async Task<IReadOnlyList<StoredKey>> ListAsync(IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var keys = new List<StoredKey>();
        var read = 0;
        await foreach (var properties in client.GetPropertiesOfSecretsAsync(cancellationToken).ConfigureAwait(false))
        {
            progress?.Report(++read);
            if (properties.Name.StartsWith(secretPrefix, StringComparison.OrdinalIgnoreCase))
            {
                keys.Add(Describe(properties));
            }
        }

        return keys;
    }

    public async Task CreateAsync(NewKey key, CancellationToken cancellationToken)
    {
        var secretName = secretPrefix + key.Name;
        if (await CurrentAsync(secretName, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new ToolException(ExitCodes.NameTaken, $"A key named '{key.Name}' already exists in {Description}; choose another name, or rotate it.");
        }

        var secret = new KeyVaultSecret(secretName, key.StoredValue);
        secret.Properties.ContentType = "text/plain; sha256";
        secret.Properties.Enabled = false;
        secret.Properties.NotBefore = key.NotBefore;
        secret.Properties.ExpiresOn = key.ExpiresOn;
        secret.Properties.Tags[KeyVaultKeyLoader.ScopesTag] = key.StoredScopes;
        foreach (var (name, value) in key.Properties)
        {
            secret.Properties.Tags[ApiKeyProperty.TagNameOf(name)] = value;
        }

        if (key.RotatedFrom is not null)
        {
            secret.Properties.Tags[RotatedFromTag] = key.RotatedFrom;
        }

        try
        {
            await client.SetSecretAsync(secret, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            throw new ToolException(ExitCodes.NameTaken, $"The name '{key.Name}' is taken by a deleted key that {Description} still keeps: recover it (az keyvault secret recover --name {secretName}) or choose another name.", ex);
        }
    }

    public async Task UpdateAsync(string name, bool? enabled, DateTimeOffset? expiresOn, CancellationToken cancellationToken)
    {
        var properties = await CurrentAsync(secretPrefix + name, cancellationToken).ConfigureAwait(false)
            ?? throw new ToolException(ExitCodes.NotFound, $"There is no key named '{name}' in {Description}.");
        if (enabled is { } flag)
        {
            properties.Enabled = flag;
        }

        if (expiresOn is { } expiry)
        {
            properties.ExpiresOn = expiry;
        }

        await client.UpdateSecretPropertiesAsync(properties, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<(ApiKey Key, bool Excluded)>> LoadAsTheAppDoesAsync(CancellationToken cancellationToken)
    {
        var loader = new KeyVaultKeyLoader(client, new KeyVaultApiKeyOptions { KeyVaultUri = client.VaultUri, SecretPrefix = secretPrefix, KeysWithoutScopes = withoutScopes }, NullLogger.Instance, declared);
        var entries = await loader.LoadAsync(new Dictionary<string, VaultEntry>(), cancellationToken).ConfigureAwait(false);
        return [.. entries.Select(e => (e.Key, e.Excluded))];
    }

    /// <summary>
    /// Every key secret with no <c>scopes</c> tag (nor one that is surely a misspelt <c>scopes</c>, which the app never
    /// used), by key name, with its other tags: those the app allowed every function before <c>scopes=*</c> was required.
    /// </summary>
    public async Task<IReadOnlyList<(string Name, IReadOnlyDictionary<string, string> Tags)>> WithoutScopesTagAsync(CancellationToken cancellationToken)
    {
        var found = new List<(string, IReadOnlyDictionary<string, string>)>();
        await foreach (var properties in client.GetPropertiesOfSecretsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (properties.Name.Length > secretPrefix.Length && properties.Name.StartsWith(secretPrefix, StringComparison.OrdinalIgnoreCase) && Untagged(properties))
            {
                found.Add((properties.Name[secretPrefix.Length..], new Dictionary<string, string>(properties.Tags)));
            }
        }

        return found;
    }

    /// <summary>Tags the key's current version <c>scopes=*</c>, keeping its other tags; false when it has a scopes tag by now.</summary>
    public async Task<bool> TagEveryFunctionAsync(string name, CancellationToken cancellationToken)
    {
        var properties = await CurrentAsync(secretPrefix + name, cancellationToken).ConfigureAwait(false)
            ?? throw new ToolException(ExitCodes.NotFound, $"There is no key named '{name}' in {Description}.");
        if (!Untagged(properties))
        {
            return false;
        }

        properties.Tags[KeyVaultKeyLoader.ScopesTag] = ApiKeyDefaults.EveryFunction;
        await client.UpdateSecretPropertiesAsync(properties, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static bool Untagged(SecretProperties properties)
    {
        KeyVaultKeyLoader.KeyProblem(properties, KeysWithoutScopes.EveryFunction, out _, out var untagged);
        return untagged;
    }

    /// <summary>The current version's properties: the most recently created version, or null when there is no such secret.</summary>
    private async Task<SecretProperties?> CurrentAsync(string secretName, CancellationToken cancellationToken)
    {
        SecretProperties? current = null;
        try
        {
            await foreach (var version in client.GetPropertiesOfSecretVersionsAsync(secretName, cancellationToken).ConfigureAwait(false))
            {
                if (current is null || version.CreatedOn > current.CreatedOn)
                {
                    current = version;
                }
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }

        return current;
    }

    // The key as the app reads it (the scopes tag in any letter case, and what makes it leave a key out), by the loader's own rule.
    private StoredKey Describe(SecretProperties properties)
    {
        var problem = KeyVaultKeyLoader.EntryProblem(properties, withoutScopes, declared, out var scopes, out _, out _);
        return new(
            properties.Name[secretPrefix.Length..],
            problem is null ? scopes : [],
            properties.Enabled ?? true,
            properties.NotBefore,
            properties.ExpiresOn,
            properties.CreatedOn,
            properties.Tags.TryGetValue(RotatedFromTag, out var rotatedFrom) ? rotatedFrom : null,
            problem,
            properties.Tags
                .Where(t => !string.Equals(t.Key, KeyVaultKeyLoader.ScopesTag, StringComparison.OrdinalIgnoreCase) && !string.Equals(t.Key, RotatedFromTag, StringComparison.OrdinalIgnoreCase))
                .ToImmutableSortedDictionary(StringComparer.OrdinalIgnoreCase));
    }
}
