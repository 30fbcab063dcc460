namespace FunctionsApiKey.KeyRing;

/// <summary>The outcome of checking one presented key, with the key when one was recognised.</summary>
internal readonly record struct ApiKeyDecision(ApiKeyOutcome Outcome, ApiKey? Key = null)
{
    public bool IsAllowed => Outcome == ApiKeyOutcome.Allowed;
}
