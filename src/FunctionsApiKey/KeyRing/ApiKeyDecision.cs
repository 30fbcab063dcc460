using FunctionsApiKey.Policies;

namespace FunctionsApiKey.KeyRing;

/// <summary>The outcome of checking one presented key, with the key when one was recognised.</summary>
/// <param name="Outcome">Whether the key may call the function, or why not.</param>
/// <param name="Key">The key the presented value is, or null when none is.</param>
public readonly record struct ApiKeyDecision(ApiKeyOutcome Outcome, ApiKey? Key = null)
{
    /// <summary>Whether the request may go on.</summary>
    public bool IsAllowed => Outcome == ApiKeyOutcome.Allowed;

    /// <summary>For a request a policy refused, what the answer tells the caller (limit, retry time).</summary>
    internal PolicyVerdict Verdict { get; init; }
}
