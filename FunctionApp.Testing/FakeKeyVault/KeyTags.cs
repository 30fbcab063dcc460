namespace FunctionApp.Testing.FakeKeyVault;

/// <summary>
/// Tags for a key secret, as the app reads them: a key secret with no <c>scopes</c> tag is left out, so one meant to
/// call every function says so.
/// </summary>
public static class KeyTags
{
    /// <summary><c>scopes=*</c>: the key may call every function.</summary>
    public static IReadOnlyDictionary<string, string> EveryFunction => Scopes("*");

    /// <summary><c>scopes=<paramref name="scopes"/></c>.</summary>
    public static IReadOnlyDictionary<string, string> Scopes(string scopes) => new Dictionary<string, string> { ["scopes"] = scopes };
}
