namespace FunctionsApiKey;

/// <summary>
/// Names the scope a key needs to call this HTTP function (or every function of this class). Functions without it
/// need the scope named after the function itself. Keys without scopes may call every protected function; keys
/// with scopes only those whose scope they list.
/// </summary>
/// <param name="scope">The scope, e.g. "reports:read": no whitespace or comma (they separate a key's scopes); compared ignoring letter case.</param>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class RequireScopeAttribute(string scope) : Attribute
{
    /// <summary>The scope a key must list to call the function.</summary>
    public string Scope { get; } = !string.IsNullOrWhiteSpace(scope) && !scope.Any(c => char.IsWhiteSpace(c) || c == ',')
        ? scope
        : throw new ArgumentException("A scope is a non-empty word with no whitespace or comma.", nameof(scope));
}
