using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Functions;

/// <summary>The tutorial's open endpoint: <c>GET /</c>.</summary>
public static class RootFunction
{
    /// <summary>Answers <c>{"Hello":"World"}</c> to anyone.</summary>
    /// <remarks>
    /// <c>Route = "/"</c> with host.json's empty route prefix serves the site root (an empty route would fall back
    /// to the function name). The host's home page only answers <c>/</c> when no function matched.
    /// </remarks>
    [Function("Root")]
    [AllowAnonymous]
    public static Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "/")] HttpRequestData request) =>
        JsonResponses.WriteAsync(request, HttpStatusCode.OK, new RootResponse("World"), FunctionsJsonContext.Default.RootResponse);
}
