using System.Net;
using FunctionsApiKey;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Functions;

/// <summary>The tutorial's protected endpoint: <c>GET /secure-endpoint</c>.</summary>
public static class SecureEndpointFunction
{
    /// <summary>
    /// Runs only after the API-key middleware accepted the caller's key; nothing here opts in to that, which is
    /// the point: every HTTP function is protected unless marked with ASP.NET Core's
    /// <see cref="Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute"/>.
    /// </summary>
    [Function("SecureEndpoint")]
    public static Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "secure-endpoint")] HttpRequestData request)
    {
        // The key that called, by name and scopes (never its value), e.g. for the function's own audit trail. The
        // request carries the invocation's context: a second parameter would cost the worker another binding.
        var context = request.FunctionContext;
        if (context.GetApiKeyIdentity() is { } caller)
        {
            context.GetLogger(typeof(SecureEndpointFunction).FullName!).SecureEndpointCalled(caller.Name);
        }

        return JsonResponses.WriteAsync(request, HttpStatusCode.OK, new SecureResponse("You have access!"), FunctionsJsonContext.Default.SecureResponse);
    }
}
