using FunctionsApiKey;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Tests.Middleware;

// Functions as a user of the template would add them; the catalog finds them by entry point, as it does in the app.
#pragma warning disable CA1822, IDE0060 // Signatures mirror real functions; the bodies are never run.

public sealed class AddedLaterFunction
{
    [Function("AddedLater")]
    public HttpResponseData Run([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) => throw new NotSupportedException();
}

public sealed class ReportFunctions
{
    [Function("DailyReport")]
    [RequireScope("reports")]
    public HttpResponseData Daily([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) => throw new NotSupportedException();

    [Function("Health")]
    [AllowAnonymous]
    [RequireScope("reports")]
    public HttpResponseData Health([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) => throw new NotSupportedException();
}

[RequireScope("admin")]
public sealed class AdminFunctions
{
    [Function("Purge")]
    public HttpResponseData Purge([HttpTrigger(AuthorizationLevel.Anonymous, "post")] HttpRequestData request) => throw new NotSupportedException();
}

[AllowAnonymous]
public sealed class PublicFunctions
{
    [Function("Status")]
    public HttpResponseData Status([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) => throw new NotSupportedException();
}

public sealed class OverloadedFunctions
{
    [Function("Overloaded")]
    [AllowAnonymous]
    public HttpResponseData Run([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) => throw new NotSupportedException();

    [Function("OverloadedScoped")]
    [RequireScope("admin")]
    public HttpResponseData Run([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request, FunctionContext context) => throw new NotSupportedException();

    public HttpResponseData Run(HttpRequestData request, int other) => throw new NotSupportedException();
}

/// <summary>Overloads without a [Function] to tell them apart: the gate cannot know which one runs.</summary>
public sealed class AmbiguousFunctions
{
    [AllowAnonymous]
    public HttpResponseData Run(HttpRequestData request) => throw new NotSupportedException();

    public HttpResponseData Run(HttpRequestData request, int other) => throw new NotSupportedException();
}

public static class OuterFunctions
{
    public sealed class NestedFunctions
    {
        [Function("NestedOpen")]
        [AllowAnonymous]
        public HttpResponseData Open([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) => throw new NotSupportedException();

        [Function("NestedScoped")]
        [RequireScope("reports")]
        public HttpResponseData Scoped([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) => throw new NotSupportedException();
    }
}

public sealed class QueueFunctions
{
    [Function("ProcessQueue")]
    public void Run(string message) => throw new NotSupportedException();
}
#pragma warning restore CA1822, IDE0060

/// <summary>An app on the worker's ASP.NET Core integration marks its open functions with ASP.NET Core's attribute.</summary>
public sealed class AspNetCoreFunctions
{
    [Function("AspNetCoreOpen")]
    [Microsoft.AspNetCore.Authorization.AllowAnonymous]
    [RequireScope("reports")]
    public HttpResponseData Open([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) => throw new NotSupportedException();

    [Function("AspNetCoreAuthorized")]
    [Microsoft.AspNetCore.Authorization.Authorize]
    public HttpResponseData Authorized([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) => throw new NotSupportedException();
}

[Microsoft.AspNetCore.Authorization.AllowAnonymous]
public sealed class AspNetCoreOpenFunctions
{
    [Function("AspNetCoreStatus")]
    public HttpResponseData Status([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request) => throw new NotSupportedException();
}
