using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionApp.AspNetCore.Functions;

/// <summary>The tutorial's protected endpoint: <c>GET /secure-endpoint</c>.</summary>
public static class SecureEndpointFunction
{
    /// <summary>
    /// Runs only after the API-key gate accepted the caller's key; nothing here opts in to that, which is the point:
    /// every HTTP function is protected unless marked <see cref="Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute"/>.
    /// </summary>
    [Function("SecureEndpoint")]
    public static IActionResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "secure-endpoint")] HttpRequest request)
    {
        // The caller as ASP.NET Core code reads it: the key's name (never its value) and its scopes as claims. The
        // request's services are the invocation's, so no second parameter (and binding) is needed for a logger.
        if (request.HttpContext.User.Identity?.Name is { } keyName)
        {
            request.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SecureEndpointFunction).FullName!).SecureEndpointCalled(keyName);
        }

        return new JsonResult(new SecureResponse("You have access!"));
    }
}
