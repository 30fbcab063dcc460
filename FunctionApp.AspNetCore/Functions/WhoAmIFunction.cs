using FunctionsApiKey;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FunctionApp.AspNetCore.Functions;

/// <summary>The caller's key as the function sees it: <c>GET /whoami</c>.</summary>
public static class WhoAmIFunction
{
    /// <summary>
    /// Answers the name, owner and scopes of the key that called, never its value, read as ASP.NET Core code reads a
    /// caller: the claims of <c>HttpContext.User</c>. Protected like every HTTP function not marked
    /// <see cref="Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute"/>, so a key needs the scope <c>WhoAmI</c>
    /// if it has scopes.
    /// </summary>
    [Function("WhoAmI")]
    public static IActionResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "whoami")] HttpRequest request)
    {
        var user = request.HttpContext.User;
        return new JsonResult(new WhoAmIResponse(
            user.Identity!.Name!,
            user.FindFirst(ApiKeyDefaults.OwnerClaimType)?.Value,
            [.. user.FindAll(ApiKeyDefaults.ScopeClaimType).Select(c => c.Value)]));
    }
}
