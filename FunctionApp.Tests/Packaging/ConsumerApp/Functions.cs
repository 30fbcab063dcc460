using System.Net;
using FunctionsApiKey;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace ConsumerApp;

/// <summary>One function of each kind the gate tells apart, under host.json's default route prefix <c>api</c>.</summary>
public static class Functions
{
    /// <summary>Open to anyone.</summary>
    [Function("Hello")]
    [AllowAnonymous]
    public static HttpResponseData Hello([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "hello")] HttpRequestData request) =>
        Text(request, "hello");

    /// <summary>Protected with nothing written: any key without scopes, or one that lists "Orders".</summary>
    [Function("Orders")]
    public static HttpResponseData Orders([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "orders")] HttpRequestData request, FunctionContext context) =>
        Text(request, $"orders for {context.GetApiKeyIdentity()?.Name}");

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
