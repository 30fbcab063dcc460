using System.Security.Cryptography;
using FunctionsApiKey;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConsumerApp;

/// <summary>
/// One function of each kind the gate tells apart, in ASP.NET Core integration (<c>HttpRequest</c> in,
/// <c>IActionResult</c> out, as Azure's templates write them), under host.json's default route prefix <c>api</c>. The
/// file names both our namespace and ASP.NET Core's authorization namespace: nothing in it may be ambiguous.
/// </summary>
public static class Functions
{
    /// <summary>Open to anyone.</summary>
    [Function("Hello")]
    [AllowAnonymous]
    public static IActionResult Hello([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "hello")] HttpRequest request) =>
        new OkObjectResult("hello");

    /// <summary>
    /// Protected with nothing written: any key without scopes, or one that lists "Orders". Says who called (as the
    /// gate's identity and as ASP.NET Core's user), and the length and SHA-256 of the body it received.
    /// </summary>
    [Function("Orders")]
    public static async Task<IActionResult> Orders(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", "post", Route = "orders")] HttpRequest request, FunctionContext context)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var user = request.HttpContext.User.Identity?.Name;
        return new OkObjectResult($"orders for {context.GetApiKeyIdentity()?.Name} (user {user}): {body.Length} bytes, sha256 {Convert.ToHexStringLower(SHA256.HashData(body.ToArray()))}");
    }

    /// <summary>Only keys without scopes, or those that list "reports".</summary>
    [Function("Reports")]
    [RequireScope("reports")]
    public static IActionResult Reports([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "reports")] HttpRequest request, FunctionContext context) =>
        new OkObjectResult($"reports for {context.GetApiKeyIdentity()?.Name}");
}
