using System.Net;
using FunctionsApiKey;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Functions;

/// <summary>The caller's key as the function sees it: <c>GET /whoami</c>.</summary>
public static class WhoAmIFunction
{
    /// <summary>
    /// Answers the name, owner and scopes of the key that called, never its value: what a client checks after a rotation,
    /// and how a function reads its caller through <see cref="FunctionContextApiKeyExtensions.GetApiKeyIdentity"/>.
    /// Protected like every HTTP function not marked anonymous, so a key needs the scope <c>WhoAmI</c> if it has scopes.
    /// </summary>
    [Function("WhoAmI")]
    public static Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "whoami")] HttpRequestData request)
    {
        // The gate ran before this function, so a protected function always has the identity.
        var caller = request.FunctionContext.GetApiKeyIdentity()!;
        return JsonResponses.WriteAsync(request, HttpStatusCode.OK, new WhoAmIResponse(caller.Name, caller.Owner, [.. caller.Scopes]), FunctionsJsonContext.Default.WhoAmIResponse);
    }
}
