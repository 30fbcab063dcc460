namespace FunctionsApiKey.KeyVault;

/// <summary>
/// What the app does with a key secret that has no <c>scopes</c> tag (<see cref="KeyVaultApiKeyOptions.KeysWithoutScopes"/>).
/// A key that may call every function is tagged <c>scopes=*</c>; a secret without the tag is most likely one whose tag
/// was misspelt, so by default it is left out.
/// </summary>
public enum KeysWithoutScopes
{
    /// <summary>The key is left out, with a warning naming it and the tag to write. The default.</summary>
    Refuse = 0,

    /// <summary>
    /// The key may call every function, as before <c>scopes=*</c> was required, with a warning naming it once per
    /// process. Only for moving an existing vault over: tag each named key, then remove the setting.
    /// </summary>
    EveryFunction = 1,
}
