using Microsoft.Azure.Functions.Worker;

namespace FunctionsApiKey;

/// <summary>Gives a function the API key that authenticated its invocation.</summary>
public static class FunctionContextApiKeyExtensions
{
    private static readonly object ItemKey = typeof(ApiKeyIdentity);

    /// <summary>
    /// The key that was checked for this invocation (its name and scopes, never its value), or null for
    /// anonymous functions and non-HTTP triggers.
    /// </summary>
    /// <param name="context">The invocation's context.</param>
    public static ApiKeyIdentity? GetApiKeyIdentity(this FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(ItemKey, out var identity) ? identity as ApiKeyIdentity : null;
    }

    internal static void SetApiKeyIdentity(this FunctionContext context, ApiKeyIdentity identity) =>
        context.Items[ItemKey] = identity;
}
