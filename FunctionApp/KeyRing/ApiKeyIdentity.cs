using System.Collections.Immutable;

namespace FunctionApp.KeyRing;

/// <summary>
/// The API key that authenticated the current invocation, as a function sees it through
/// <c>FunctionContext.GetApiKeyIdentity()</c>: safe to log, holds no key material.
/// </summary>
/// <param name="Name">The key's name, e.g. the Key Vault secret name without its prefix.</param>
/// <param name="Scopes">The scopes granted to the key; empty means every protected function.</param>
public sealed record ApiKeyIdentity(string Name, ImmutableArray<string> Scopes);
