namespace FunctionsApiKey.KeyRing;

/// <summary>
/// The scopes this app's protected functions require. The key ring checks loaded keys against them, so that a scope
/// nobody requires (a typo, a renamed function) is reported when the key loads rather than as 403s later.
/// </summary>
internal interface IFunctionScopes
{
    /// <summary>Every required scope (compared ignoring letter case), or null when the app's functions cannot be listed.</summary>
    Task<IReadOnlySet<string>?> GetRequiredScopesAsync();
}
