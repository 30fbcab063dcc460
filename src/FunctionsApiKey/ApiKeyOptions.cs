namespace FunctionsApiKey;

/// <summary>
/// Settings of the API-key gate, bound from the <c>ApiKeys</c> section (application settings
/// <c>ApiKeys__&lt;Setting&gt;</c>). Invalid values stop the app at startup with a message naming the setting.
/// </summary>
public sealed class ApiKeyOptions
{
    /// <summary>
    /// Where keys come from: <c>settings</c>, <c>keyvault</c> or <c>sharedring</c> (each but the first needs its package's
    /// registration call). Unset, it is <c>keyvault</c> when <c>ApiKeys:KeyVaultUri</c> is set and <c>settings</c>
    /// otherwise. The app stops at startup when the source it registered is not this one.
    /// </summary>
    public string? KeySource { get; set; }

    /// <summary>The request header that carries the key. Header names are case-insensitive.</summary>
    public string HeaderName { get; set; } = ApiKeyDefaults.HeaderName;

    /// <summary>
    /// The prefix of issued keys (see <see cref="ApiKeyFormat"/>): a presented value that starts with it and
    /// <c>_</c> must carry a matching checksum, or it is refused as malformed before any hashing. Values without it
    /// are looked up as before.
    /// </summary>
    public string KeyPrefix { get; set; } = ApiKeyFormat.DefaultPrefix;

    /// <summary>How often the key ring is reloaded; a revoked key stops working within about this long.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Each interval is moved by a random amount up to this, so instances that scaled out do not reload together.</summary>
    public TimeSpan RefreshJitter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How old the key ring in force may get while refreshes keep failing before protected functions answer 503:
    /// past it, a key revoked at the source could otherwise keep working indefinitely. Zero turns the limit off.
    /// </summary>
    public TimeSpan MaxKeyRingAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How many proxies of your own sit in front of the app and append the address they received a request from to
    /// <c>X-Forwarded-For</c> (e.g. 1 for Azure Front Door); 0, the default, when callers reach the app's own address.
    /// It decides which address a key's <see cref="ApiKeyPolicies.Ips"/> are checked against: the entry Azure's front end
    /// appended, or that many entries further left; entries further left still are whatever the caller sent, and never
    /// believed. See docs/how-it-works.md.
    /// </summary>
    public int TrustedProxyHops { get; set; }

    /// <summary>How long a request waits for the first key ring at startup before it is answered 503.</summary>
    public TimeSpan FirstLoadTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
