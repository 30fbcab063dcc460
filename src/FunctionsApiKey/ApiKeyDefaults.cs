namespace FunctionsApiKey;

/// <summary>
/// The names this package promises to keep: its configuration section, the default header, the caller's claims, the
/// meter, and the log categories. Dashboards, alerts, log filters and authorization code can rely on them.
/// </summary>
public static class ApiKeyDefaults
{
    /// <summary>The configuration section of <see cref="ApiKeyOptions"/>: settings named <c>ApiKeys__&lt;Setting&gt;</c>.</summary>
    public const string SectionName = "ApiKeys";

    /// <summary>The request header that carries the key unless <see cref="ApiKeyOptions.HeaderName"/> says otherwise.</summary>
    public const string HeaderName = "api-key";

    /// <summary>The <c>System.Diagnostics.Metrics</c> meter of every instrument of this package.</summary>
    public const string MeterName = "FunctionsApiKey";

    /// <summary>The prefix of every log category of this package, e.g. for <c>Logging__LogLevel__FunctionsApiKey=Debug</c>.</summary>
    public const string LogCategoryPrefix = "FunctionsApiKey";

    /// <summary>Log category of the gate's decisions (event ids 1–9).</summary>
    public const string GateLogCategory = "FunctionsApiKey.Gate";

    /// <summary>Log category of loading and refreshing the key ring (event ids 10–19).</summary>
    public const string KeyRingLogCategory = "FunctionsApiKey.KeyRing";

    /// <summary>Log category of keys read from application settings (event ids 20–29).</summary>
    public const string SettingsLogCategory = "FunctionsApiKey.Settings";

    /// <summary>Log category of keys' policies: rate limits, quotas, networks and owners (event ids 60–69).</summary>
    public const string PolicyLogCategory = "FunctionsApiKey.Policies";

    /// <summary>
    /// The authentication type of the <c>ClaimsIdentity</c> the gate puts on <c>HttpContext.User</c> in the worker's
    /// ASP.NET Core integration; its name claim is the key's name.
    /// </summary>
    public const string AuthenticationType = "ApiKey";

    /// <summary>
    /// Written as a key's scopes (<c>scopes=*</c> on a vault secret, <c>ApiKeys__Keys__&lt;name&gt;__Scopes=*</c> in settings),
    /// it lets the key call every protected function. It stands alone: a list that mixes it with scope names is refused.
    /// </summary>
    public const string EveryFunction = "*";

    /// <summary>The claim type of the key's owner (<see cref="ApiKeyPolicies.Owner"/>), on <c>HttpContext.User</c>; none when the key names no owner.</summary>
    public const string OwnerClaimType = "owner";

    /// <summary>The claim type of each scope the caller's key grants, on <c>HttpContext.User</c>; none for an unlimited key.</summary>
    public const string ScopeClaimType = "scope";
}
