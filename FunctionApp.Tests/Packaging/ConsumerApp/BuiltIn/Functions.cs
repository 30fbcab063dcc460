using System.Net;
using System.Security.Cryptography;
using FunctionsApiKey;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace ConsumerApp;

/// <summary>
/// One function of each kind the gate tells apart, in the built-in HTTP model (<c>HttpRequestData</c>), under host.json's
/// default route prefix <c>api</c>. The file names both our namespace and ASP.NET Core's authorization namespace, as
/// an app's would: nothing in it may be ambiguous.
/// </summary>
public static class Functions
{
    /// <summary>Open to anyone.</summary>
    [Function("Hello")]
    [AllowAnonymous]
    public static HttpResponseData Hello([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "hello")] HttpRequestData request) =>
        Text(request, "hello");

    /// <summary>
    /// Protected with nothing written: any key without scopes, or one that lists "Orders". Says who called, and the
    /// length and SHA-256 of the body it received, so a caller can tell the body arrived intact.
    /// </summary>
    [Function("Orders")]
    public static HttpResponseData Orders(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", "post", Route = "orders")] HttpRequestData request, FunctionContext context)
    {
        using var body = new MemoryStream();
        request.Body.CopyTo(body);
        return Text(request, $"orders for {context.GetApiKeyIdentity()?.Name}: {body.Length} bytes, sha256 {Convert.ToHexStringLower(SHA256.HashData(body.ToArray()))}");
    }

    /// <summary>Only keys without scopes, or those that list "reports".</summary>
    [Function("Reports")]
    [RequireScope("reports")]
    public static HttpResponseData Reports([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "reports")] HttpRequestData request, FunctionContext context) =>
        Text(request, $"reports for {context.GetApiKeyIdentity()?.Name}");

    private static HttpResponseData Text(HttpRequestData request, string body)
    {
        var response = request.CreateResponse(HttpStatusCode.OK);
        response.WriteString(body);
        return response;
    }
}
