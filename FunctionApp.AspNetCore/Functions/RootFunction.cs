using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FunctionApp.AspNetCore.Functions;

/// <summary>The tutorial's open endpoint: <c>GET /</c>.</summary>
public static class RootFunction
{
    /// <summary>Answers <c>{"Hello":"World"}</c> to anyone.</summary>
    /// <remarks>
    /// ASP.NET Core integration maps a function to <c>{routePrefix}/{route}</c>, and with host.json's empty prefix
    /// <c>Route = "/"</c> (the built-in model's site root) would make <c>//</c>, which its router refuses for every
    /// function. An optional parameter that must be empty matches the site root only.
    /// </remarks>
    [Function("Root")]
    [AllowAnonymous]
    public static IActionResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "{root:maxlength(0)?}")] HttpRequest request) =>
        new JsonResult(new RootResponse("World"));
}
