using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;
using System.Threading.Channels;
using Azure;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;
using FunctionsApiKey.Diagnostics;

namespace FunctionsApiKey.KeyVault;

/// <summary>
/// Reads keys kept as Key Vault secrets: every secret named <c>&lt;prefix&gt;&lt;key name&gt;</c> is one key. Its value
/// is the key or <c>sha256:&lt;hex&gt;</c> (a trailing line break is ignored); the <c>scopes</c> tag limits it, and
/// must be there (<c>scopes=*</c> for every function);
/// <c>enabled=false</c> revokes it; <c>nbf</c>/<c>exp</c> bound it in time (Key Vault returns such secrets regardless,
/// so the key ring enforces them).
/// </summary>
/// <remarks>
/// A load lists the secrets' properties (values are not in listings) and fetches values only for secrets that are
/// new or whose <c>updated</c> time moved since the load whose entries it is given; the rest reuse the hash already
/// known. <c>updated</c> has one-second resolution, so a value read in the same second as its last update could still
/// be replaced within that second without <c>updated</c> moving: such a value is read again on the next load, until
/// the vault's own clock (its <c>Date</c> header) shows the second has passed. The entries are all a next load needs,
/// so they can live in memory (<see cref="KeyVaultApiKeySource"/>) or travel with a shared key ring.
/// </remarks>
public sealed class KeyVaultKeyLoader(SecretClient client, KeyVaultApiKeyOptions options, ILogger logger, IEnumerable<ApiKeyProperty> declaredProperties)
{
    /// <summary>A loader that reads no declared key property.</summary>
    /// <param name="client">The vault's client.</param>
    /// <param name="options">Which secrets are keys.</param>
    /// <param name="logger">Where skipped keys are named.</param>
    public KeyVaultKeyLoader(SecretClient client, KeyVaultApiKeyOptions options, ILogger logger)
        : this(client, options, logger, [])
    {
    }

    /// <summary>The tag that lists a key's scopes: <c>*</c> for every function, or names separated by spaces or commas.</summary>
    public const string ScopesTag = "scopes";

    /// <summary>The declared key properties it reads from tags, and that a ring copied from this vault carries.</summary>
    public IReadOnlyList<ApiKeyProperty> Properties { get; } = [.. declaredProperties];

    // Secret name → its updated time when it was last named as unlimited for lack of a scopes tag.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _reportedUntagged = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Loads every key, reusing what <paramref name="previous"/> knows (keyed by secret name, ignoring case). Throws
    /// <see cref="ApiKeySourceException"/> when the vault cannot be read.
    /// </summary>
    public async Task<IReadOnlyList<VaultEntry>> LoadAsync(IReadOnlyDictionary<string, VaultEntry> previous, CancellationToken cancellationToken)
    {
        try
        {
            return await LoadAllAsync(previous, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (VaultFailure.IsVaultFailure(ex, cancellationToken))
        {
            // An HTTP error, a failed sign-in and the vault out of reach (status 0, a reset, a timeout, the retries spent)
            // alike: a failure to read the source, so the shared ring's fallback keeps the keys in force instead of
            // failing the whole load on the raw exception.
            throw new ApiKeySourceException(VaultFailure.Describe(client.VaultUri, ex), ex);
        }
    }

    private async Task<IReadOnlyList<VaultEntry>> LoadAllAsync(IReadOnlyDictionary<string, VaultEntry> known, CancellationToken cancellationToken)
    {
        var prefix = options.SecretPrefix;
        var listed = new List<SecretProperties>();
        var fetched = new ConcurrentDictionary<string, FetchedSecret?>(StringComparer.OrdinalIgnoreCase);

        // Listing is sequential (one page of 25 after another), so values are fetched while it goes on: each page's
        // new or changed secrets are queued at once for the fetchers.
        var changed = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var listing = ListAsync(prefix, known, listed, changed.Writer, stop.Token);
        var fetching = Parallel.ForEachAsync(
            changed.Reader.ReadAllAsync(stop.Token),
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelFetches, CancellationToken = stop.Token },
            async (name, token) => fetched[name] = await FetchAsync(name, prefix, token).ConfigureAwait(false));

        var first = await Task.WhenAny(listing, fetching).ConfigureAwait(false);
        if (!first.IsCompletedSuccessfully)
        {
            // One side failed: stop the other and report the failure that came first.
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(listing, fetching).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await first.ConfigureAwait(false);
        }

        await Task.WhenAll(listing, fetching).ConfigureAwait(false);

        var entries = new List<VaultEntry>(listed.Count);
        foreach (var listedProperties in listed)
        {
            var properties = listedProperties;
            known.TryGetValue(properties.Name, out var previous);
            ApiKey valueKey;
            DateTimeOffset? readAt;
            bool settled;
            if (fetched.TryGetValue(properties.Name, out var fresh))
            {
                if (fresh is null)
                {
                    continue;
                }

                (properties, valueKey, settled) = (fresh.Properties, fresh.Key, fresh.Settled);
                readAt = properties.UpdatedOn;
            }
            else if (previous is not null)
            {
                // Unchanged, or disabled since it was last read: a disabled secret's value cannot be fetched, but the
                // hash known from before lets the ring recognise the key and report it as revoked. Re-enabling it
                // reads the value again.
                (valueKey, readAt) = (previous.Key, previous.UpdatedOn);
                settled = previous.Settled && properties.Enabled != false;
            }
            else
            {
                continue;
            }

            var problem = EntryProblem(properties, options.KeysWithoutScopes, Properties, out var scopes, out var untagged, out var extensions);

            if (problem is not null && (previous is null || !previous.Excluded || previous.UpdatedOn != properties.UpdatedOn))
            {
                // Once per change of the secret, not on every load: a shared ring's publisher loads every few seconds.
                if (untagged)
                {
                    logger.KeyWithoutScopesSkipped(valueKey.Name, properties.Name);
                }
                else
                {
                    logger.KeySkipped(valueKey.Name, problem);
                }
            }
            else if (problem is null && untagged && FirstReportOfUntagged(properties))
            {
                logger.KeyWithoutScopesAllowed(valueKey.Name, properties.Name);
            }

            var key = valueKey with
            {
                Scopes = problem is null ? scopes : [],
                NotBefore = properties.NotBefore,
                ExpiresOn = properties.ExpiresOn,
                IsRevoked = properties.Enabled == false,
                Properties = extensions,
            };
            entries.Add(new VaultEntry(properties.Name, readAt, settled, key, Excluded: problem is not null));
        }

        return entries;
    }

    /// <summary>
    /// Why a listed secret cannot be a key, or null. A key may call every function only when its <c>scopes</c> tag (in any
    /// letter case) says <c>*</c>: with no such tag, which is what any misspelling of its name amounts to, the key is left
    /// out (<paramref name="untagged"/> is then true), unless <paramref name="withoutScopes"/> keeps the old meaning while
    /// a vault is being tagged. A tag that lists nothing, or mixes <c>*</c> with names, leaves the key out too. So does a
    /// tag whose name, reduced to its letters, is <c>scope</c> or <c>scopes</c> but is not <c>scopes</c>
    /// (<c>scope</c>, <c>scopes </c>, <c>Scopes_</c>): that one is surely a misspelling, worth naming even when the key
    /// also has a <c>scopes</c> tag. A validity window that ends before it starts leaves the key out as well.
    /// </summary>
    /// <param name="properties">A listed secret's properties.</param>
    /// <param name="withoutScopes">What the app does with a key without a <c>scopes</c> tag.</param>
    /// <param name="scopes">The key's scopes, when it has no problem; empty for every function.</param>
    /// <param name="untagged">Whether the secret has no <c>scopes</c> tag at all.</param>
    public static string? KeyProblem(SecretProperties properties, KeysWithoutScopes withoutScopes, out ImmutableArray<string> scopes, out bool untagged)
    {
        scopes = [];
        untagged = false;
        string? scopesTag = null;
        foreach (var (tag, value) in properties.Tags)
        {
            if (!IsScopesLike(tag))
            {
                continue;
            }

            if (!string.Equals(tag, ScopesTag, StringComparison.OrdinalIgnoreCase))
            {
                return $"it has a tag named '{SafeText.Printable(tag)}', which looks like the '{ScopesTag}' tag but is not it; name the tag exactly '{ScopesTag}'";
            }

            if (scopesTag is not null)
            {
                return $"it has both a '{scopesTag}' and a '{tag}' tag; keep one";
            }

            scopesTag = tag;
            switch (ApiKey.ReadScopes(value, out scopes))
            {
                case ScopesListProblem.NamesNothing:
                    return $"its {ScopesTag} tag lists no scope; list the scopes it may call, or write {ScopesTag}={ApiKeyDefaults.EveryFunction} to allow every function";
                case ScopesListProblem.MixesEveryFunction:
                    return $"its {ScopesTag} tag mixes {ApiKeyDefaults.EveryFunction} with scope names; write {ScopesTag}={ApiKeyDefaults.EveryFunction} alone to allow every function, or list only the scopes it may call";
            }
        }

        if (scopesTag is null)
        {
            untagged = true;
            if (withoutScopes != KeysWithoutScopes.EveryFunction)
            {
                return $"it has no {ScopesTag} tag; tag it {ScopesTag}={ApiKeyDefaults.EveryFunction} to allow every function, or {ScopesTag}=<names> to limit it";
            }
        }

        return properties.NotBefore is { } notBefore && properties.ExpiresOn is { } expiresOn && notBefore >= expiresOn
            ? "its activation date is not before its expiry date, so it could never be used"
            : null;
    }

    /// <summary>
    /// Why a listed secret cannot be a key, all rules together: <see cref="KeyProblem"/>, then <see cref="PropertyProblem"/>
    /// (a declared property that does not read leaves the key out, since serving it without the property could widen it).
    /// </summary>
    /// <param name="properties">A listed secret's properties.</param>
    /// <param name="withoutScopes">What the app does with a key without a <c>scopes</c> tag.</param>
    /// <param name="declared">The declared properties.</param>
    /// <param name="scopes">The key's scopes, when it has no problem; empty for every function.</param>
    /// <param name="untagged">Whether the secret has no <c>scopes</c> tag and that is its only problem, if any.</param>
    /// <param name="values">The declared properties read, by name, as canonical text.</param>
    public static string? EntryProblem(SecretProperties properties, KeysWithoutScopes withoutScopes, IEnumerable<ApiKeyProperty> declared, out ImmutableArray<string> scopes, out bool untagged, out ImmutableDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var problem = KeyProblem(properties, withoutScopes, out scopes, out untagged);
        var propertyProblem = PropertyProblem(properties.Tags, declared, out values);
        if (problem is null && propertyProblem is not null)
        {
            (problem, untagged) = (propertyProblem, false);
        }

        return problem;
    }

    /// <summary>
    /// Reads the declared <paramref name="declared"/> properties from a secret's tags: each from the tag named its
    /// <see cref="ApiKeyProperty.TagName"/> (any letter case); a property without a tag is absent. Returns why the key
    /// must be left out (a tag whose value the declaration refuses, or two tags for one property), or null.
    /// </summary>
    /// <param name="tags">The secret's tags.</param>
    /// <param name="declared">The declared properties.</param>
    /// <param name="values">The properties read, by name, as canonical text.</param>
    public static string? PropertyProblem(IEnumerable<KeyValuePair<string, string>> tags, IEnumerable<ApiKeyProperty> declared, out ImmutableDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(declared);
        var read = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.OrdinalIgnoreCase);
        values = read.ToImmutable();
        foreach (var property in declared)
        {
            string? text = null, foundTag = null;
            foreach (var (tag, value) in tags)
            {
                if (!string.Equals(tag, property.TagName, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (foundTag is not null)
                {
                    return $"it has both a '{SafeText.Printable(foundTag)}' and a '{SafeText.Printable(tag)}' tag; keep one";
                }

                (text, foundTag) = (value, tag);
            }

            if (text is null)
            {
                continue;
            }

            if (!property.TryCanonicalize(text, out var canonical, out var problem))
            {
                return $"its {SafeText.Printable(property.TagName)} tag {SafeText.Printable(problem)}";
            }

            read[property.Name] = canonical;
        }

        values = read.ToImmutable();
        return null;
    }

    /// <summary>
    /// Whether a key allowed every function for lack of a <c>scopes</c> tag is named for the first time in this process
    /// (or since its secret last changed), so the warning comes once, not on every refresh.
    /// </summary>
    private bool FirstReportOfUntagged(SecretProperties properties)
    {
        var updated = properties.UpdatedOn ?? DateTimeOffset.MinValue;
        if (_reportedUntagged.TryGetValue(properties.Name, out var reported) && reported == updated)
        {
            return false;
        }

        _reportedUntagged[properties.Name] = updated;
        return true;
    }

    private static bool IsScopesLike(string tag)
    {
        Span<char> letters = stackalloc char[7];
        var count = 0;
        foreach (var c in tag)
        {
            if (!char.IsLetter(c))
            {
                continue;
            }

            if (count == letters.Length)
            {
                return false;
            }

            letters[count++] = char.ToLowerInvariant(c);
        }

        var folded = letters[..count];
        return folded.SequenceEqual("scope") || folded.SequenceEqual("scopes");
    }

    /// <summary>Lists every secret with the prefix into <paramref name="listed"/>, queueing those whose value must be read.</summary>
    private async Task ListAsync(string prefix, IReadOnlyDictionary<string, VaultEntry> known, List<SecretProperties> listed, ChannelWriter<string> changed, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var properties in client.GetPropertiesOfSecretsAsync(cancellationToken).ConfigureAwait(false))
            {
                if (properties.Name.Length <= prefix.Length || !properties.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                listed.Add(properties);
                var unchanged = known.TryGetValue(properties.Name, out var previous) && previous.Settled && previous.UpdatedOn == properties.UpdatedOn;
                if (properties.Enabled != false && !unchanged)
                {
                    changed.TryWrite(properties.Name);
                }
            }
        }
        finally
        {
            changed.TryComplete();
        }
    }

    /// <summary>Fetches one value and hashes it; null when the secret vanished, was disabled meanwhile, or holds no usable key.</summary>
    private async Task<FetchedSecret?> FetchAsync(string secretName, string prefix, CancellationToken cancellationToken)
    {
        var keyName = secretName[prefix.Length..];
        Response<KeyVaultSecret> response;
        try
        {
            response = await client.GetSecretAsync(secretName, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            logger.KeySkipped(keyName, "the secret was deleted while keys were loading");
            return null;
        }
        catch (RequestFailedException ex) when (ex.Status == 403 && IsSecretDisabled(ex))
        {
            logger.KeySkipped(keyName, "the secret was disabled while keys were loading");
            return null;
        }

        var properties = response.Value.Properties;
        if (!ApiKey.TryFromValue(keyName, response.Value.Value ?? string.Empty, out var key, out var problem))
        {
            logger.KeySkipped(keyName, $"the secret's value {problem}");
            return null;
        }

        var vaultTime = response.GetRawResponse().Headers.Date;
        var settled = vaultTime is { } now && properties.UpdatedOn is { } updated && now.ToUnixTimeSeconds() > updated.ToUnixTimeSeconds();
        return new FetchedSecret(properties, key, settled);
    }

    /// <summary>
    /// A disabled secret answers 403 with inner error <c>SecretDisabled</c>. Any other 403 (e.g. missing RBAC
    /// permission) must fail the load instead, or a permission problem would silently empty the key ring.
    /// </summary>
    private static bool IsSecretDisabled(RequestFailedException ex)
    {
        var content = ex.GetRawResponse()?.Content;
        if (content is null)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(content.ToMemory());
            return document.RootElement.TryGetProperty("error", out var error)
                && error.TryGetProperty("innererror", out var inner)
                && inner.TryGetProperty("code", out var code)
                && code.ValueEquals("SecretDisabled");
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private sealed record FetchedSecret(SecretProperties Properties, ApiKey Key, bool Settled);
}
