using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace FunctionsApiKey;

/// <summary>
/// One API key as a key source loaded it: a name that is safe to log, the SHA-256 of its value (never the value
/// itself, and never readable from outside), what it may call and when it is valid. Build one with
/// <see cref="FromValue"/> or <see cref="TryFromValue"/>, then set the rest with <c>with { … }</c>.
/// </summary>
public sealed record ApiKey
{
    private static readonly char[] ScopeSeparators = [' ', '\t', '\r', '\n', ','];

    private ImmutableArray<string> _scopes = [];

    private ImmutableDictionary<string, string> _properties = ImmutableDictionary.Create<string, string>(StringComparer.OrdinalIgnoreCase);

    // Built on first use and reused, so an allowed request allocates nothing; reset when `with` changes the scopes or properties.
    private ApiKeyIdentity? _identity;

    private ApiKey(string name, ApiKeyHash hash)
    {
        Name = name;
        Hash = hash;
    }

    /// <summary>The key's name, e.g. <c>partner-a</c>: what logs, metrics and the function see.</summary>
    public string Name { get; }

    /// <summary>Scopes the key may call; empty means every protected function. Compared ignoring letter case.</summary>
    public ImmutableArray<string> Scopes
    {
        get => _scopes;
        init
        {
            _scopes = value.IsDefault ? [] : value;
            _identity = null;
        }
    }

    /// <summary>The key is refused before this time.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>The key is refused from this time on.</summary>
    public DateTimeOffset? ExpiresOn { get; init; }

    /// <summary>Disabled at the source (e.g. a disabled Key Vault secret) but still recognised, so denials can name it.</summary>
    public bool IsRevoked { get; init; }

    /// <summary>
    /// The values of declared extension properties (<see cref="ApiKeyProperty"/>) the key has, by property name (any
    /// letter case) as canonical text. A source sets only properties it was given a declaration for.
    /// </summary>
    public ImmutableDictionary<string, string> Properties
    {
        get => _properties;
        init
        {
            _properties = value is null ? ImmutableDictionary.Create<string, string>(StringComparer.OrdinalIgnoreCase) : value.WithComparers(StringComparer.OrdinalIgnoreCase);
            _identity = null;
        }
    }

    internal ApiKeyHash Hash { get; }

    /// <summary>What the invoked function gets to see: the name, scopes and owner, never the hash.</summary>
    internal ApiKeyIdentity Identity => _identity ??= new ApiKeyIdentity(Name, _scopes, _properties.GetValueOrDefault(ApiKeyPolicies.Owner.Name));

    /// <summary>
    /// A key from its stored value: the key itself, or <c>sha256:</c> and the 64 hex digits of its SHA-256, so the
    /// plaintext need be stored nowhere. A trailing line break is ignored.
    /// </summary>
    /// <param name="name">The key's name.</param>
    /// <param name="value">The stored value.</param>
    /// <exception cref="ArgumentException">The value cannot be a key; the message names the key, never the value.</exception>
    public static ApiKey FromValue(string name, string value) =>
        TryFromValue(name, value, out var key, out var problem) ? key : throw new ArgumentException($"API key {name}: the value {problem}.", nameof(value));

    /// <summary>Like <see cref="FromValue"/>, but says why a value cannot be a key instead of throwing.</summary>
    /// <param name="name">The key's name.</param>
    /// <param name="value">The stored value.</param>
    /// <param name="key">The key, when the value is usable.</param>
    /// <param name="problem">Otherwise why not, phrased to follow "the value" (e.g. "is not a usable key: …"); never quotes the value.</param>
    public static bool TryFromValue(string name, string value, [NotNullWhen(true)] out ApiKey? key, [NotNullWhen(false)] out string? problem)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        key = ApiKeyText.TryParseStored(value, out var hash, out problem) ? new ApiKey(name, hash) : null;
        return key is not null;
    }

    /// <summary>
    /// A key from the SHA-256 of its value, e.g. read back from a store that keeps the 32 bytes rather than the
    /// <c>sha256:</c> text.
    /// </summary>
    /// <param name="name">The key's name.</param>
    /// <param name="sha256">The 32 bytes of the SHA-256 of the key's value.</param>
    /// <exception cref="ArgumentException"><paramref name="sha256"/> is not 32 bytes.</exception>
    public static ApiKey FromHash(string name, ReadOnlySpan<byte> sha256)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (sha256.Length != ApiKeyHash.Size)
        {
            throw new ArgumentException($"A SHA-256 is {ApiKeyHash.Size} bytes; this is {sha256.Length}.", nameof(sha256));
        }

        ApiKeyHash hash = default;
        sha256.CopyTo(hash);
        return new ApiKey(name, hash);
    }

    /// <summary>
    /// Copies the SHA-256 of the key's value into <paramref name="destination"/> (32 bytes), e.g. to store the key
    /// without its plaintext. It is not the key, but it fingerprints one: store it as you would a secret, never log it.
    /// </summary>
    /// <param name="destination">At least 32 bytes.</param>
    public void CopyHashTo(Span<byte> destination)
    {
        var hash = Hash;
        ((ReadOnlySpan<byte>)hash).CopyTo(destination);
    }

    /// <summary>
    /// Reads a list of scopes as written in a setting or a tag: separated by whitespace, commas or both. Scopes that
    /// differ only in letter case are kept once. An empty result must not be read as "every function" when the
    /// text was meant to limit a key.
    /// </summary>
    /// <param name="text">The written list, e.g. <c>reports, SecureEndpoint</c>.</param>
    public static ImmutableArray<string> ParseScopes(string? text) =>
        string.IsNullOrEmpty(text)
            ? []
            : [.. text.Split(ScopeSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.OrdinalIgnoreCase)];

    /// <summary>
    /// Reads a scopes list written for one key (a setting, a tag): <c>*</c> alone means every function and gives empty
    /// <paramref name="scopes"/>; names limit the key. A list that names nothing, or mixes <c>*</c> with names, is a
    /// problem: the key must be left out, since reading either as "every function" could widen it.
    /// </summary>
    /// <param name="text">The written list, present (an absent one is the source's own rule).</param>
    /// <param name="scopes">The key's scopes when there is no problem; empty for every function.</param>
    public static ScopesListProblem ReadScopes(string text, out ImmutableArray<string> scopes)
    {
        scopes = ParseScopes(text);
        if (scopes.IsEmpty)
        {
            return ScopesListProblem.NamesNothing;
        }

        if (scopes.Contains(ApiKeyDefaults.EveryFunction))
        {
            var mixed = scopes.Length > 1;
            scopes = [];
            return mixed ? ScopesListProblem.MixesEveryFunction : ScopesListProblem.None;
        }

        return ScopesListProblem.None;
    }

    /// <summary>The value of a declared property, when the key has one that the declaration reads.</summary>
    /// <typeparam name="T">The property's value type.</typeparam>
    /// <param name="property">The declaration.</param>
    /// <param name="value">The value, when the key has the property.</param>
    public bool TryGetProperty<T>(ApiKeyProperty<T> property, [MaybeNullWhen(false)] out T value)
    {
        ArgumentNullException.ThrowIfNull(property);
        value = default;
        return _properties.TryGetValue(property.Name, out var text) && property.TryParse(text, out value, out _);
    }

    /// <summary>
    /// Whether the key may call a function that requires <paramref name="scope"/>, ignoring letter case as Functions does
    /// for function names. Allocates nothing.
    /// </summary>
    internal bool AllowsScope(string scope)
    {
        if (Scopes.IsEmpty)
        {
            return true;
        }

        foreach (var granted in Scopes)
        {
            if (string.Equals(granted, scope, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Keys are equal when everything a source set is equal: name, hash, scopes (in order), times, revocation and properties.</summary>
    /// <param name="other">The key to compare with.</param>
    public bool Equals(ApiKey? other) =>
        other is not null
        && Name == other.Name
        && Hash.FixedTimeEquals(other.Hash)
        && _scopes.SequenceEqual(other._scopes)
        && NotBefore == other.NotBefore
        && ExpiresOn == other.ExpiresOn
        && IsRevoked == other.IsRevoked
        && _properties.Count == other._properties.Count
        && _properties.All(p => other._properties.TryGetValue(p.Key, out var text) && text == p.Value);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Hash.BucketSeed, NotBefore, ExpiresOn, IsRevoked);

    /// <summary>Names the key without its hash, so printing a key (in a log, a debugger, a test failure) shows no key material.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Name = ").Append(Name)
            .Append(", Scopes = [").AppendJoin(' ', Scopes).Append(']')
            .Append(", NotBefore = ").Append(NotBefore)
            .Append(", ExpiresOn = ").Append(ExpiresOn)
            .Append(", IsRevoked = ").Append(IsRevoked);
        foreach (var (name, text) in _properties.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
        {
            builder.Append(", ").Append(name).Append(" = ").Append(text);
        }

        return true;
    }
}
