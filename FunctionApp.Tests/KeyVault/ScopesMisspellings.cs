namespace FunctionApp.Tests.KeyVault;

/// <summary>
/// The misspellings of the <c>scopes</c> tag that a review found to make a vault key unlimited: none is a look-alike
/// the loader could list, which is why a key now needs the tag itself.
/// </summary>
public static class ScopesMisspellings
{
    public static TheoryData<string> Names { get; } =
        ["scops", "scoeps", "sc0pes", "scopez", "scopess", "scopes-list", "allowed-scopes", "api_scopes", "\u0455copes" /* a Cyrillic dze, which looks like s */];
}
