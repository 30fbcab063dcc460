using System.Net;
using FunctionApp.Middleware;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Logging;

namespace FunctionApp.Functions;

/// <summary>The tutorial's protected endpoint: <c>GET /secure-endpoint</c>.</summary>
public sealed class SecureEndpointFunction(ILogger<SecureEndpointFunction> logger)
{
    /// <summary>
    /// Runs only after the API-key middleware accepted the caller's key; nothing here opts in to that, which is
    /// the point: every HTTP function is protected unless marked <see cref="AllowAnonymousAttribute"/>.
    /// </summary>
    [Function("SecureEndpoint")]
    public Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "secure-endpoint")] HttpRequestData request,
        FunctionContext context)
    {
        if (context.GetApiKeyIdentity() is { } caller)
        {
            logger.SecureEndpointCalled(caller.Name);
        }

        return JsonResponses.WriteAsync(request, HttpStatusCode.OK, new SecureResponse("You have access!"), FunctionsJsonContext.Default.SecureResponse);
    }
}
