using System.Security.Claims;

namespace FunctionsApiKey.Middleware;

/// <summary>The caller as ASP.NET Core code reads it from <c>HttpContext.User</c>: the key's name, its scopes and its owner, never the key.</summary>
internal static class ApiKeyPrincipal
{
    /// <summary>
    /// A new principal for each request, as authentication handlers make: code may add identities or claims to it, and
    /// nothing added may reach another caller.
    /// </summary>
    public static ClaimsPrincipal Create(ApiKeyIdentity key)
    {
        var claims = new Claim[key.Scopes.Length + (key.Owner is null ? 1 : 2)];
        claims[0] = new Claim(ClaimTypes.Name, key.Name);
        for (var i = 0; i < key.Scopes.Length; i++)
        {
            claims[i + 1] = new Claim(ApiKeyDefaults.ScopeClaimType, key.Scopes[i]);
        }

        if (key.Owner is { } owner)
        {
            claims[^1] = new Claim(ApiKeyDefaults.OwnerClaimType, owner);
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, ApiKeyDefaults.AuthenticationType, ClaimTypes.Name, ClaimTypes.Role));
    }
}
