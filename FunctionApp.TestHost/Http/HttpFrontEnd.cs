using System.Net;
using System.Text;
using FunctionApp.TestHost.Admin;
using FunctionApp.TestHost.Protocol;
using FunctionApp.TestHost.Routing;
using FunctionApp.TestHost.Rpc;
using FunctionApp.TestHost.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionApp.TestHost.Http;

/// <summary>
/// The host's HTTP side: routes each request and runs it as an invocation (<see cref="FunctionInvoker"/>) in one of two
/// ways, chosen by what the worker advertised. In the built-in HTTP model the request travels inside the invocation
/// (<see cref="InvocationRequestFactory"/>) and the worker's answer becomes the response (<see cref="HttpResponseWriter"/>).
/// A worker with ASP.NET Core integration serves HTTP itself: the request is forwarded to its server
/// (<see cref="WorkerHttpForwarder"/>) alongside an invocation that carries no request (<see cref="ForwardedInvocation"/>).
/// Either way a function that outlasts host.json's <c>functionTimeout</c> gets a bare 500 if nothing was sent. The
/// host's admin API for running a function now (<see cref="AdminEndpoint"/>) comes first: no function may have a route
/// under <c>admin</c>. Kestrel's default request limits stay in place, except the body size, which the host raises to 100 MB.
/// </summary>
internal sealed class HttpFrontEnd(RouteTable routes, FunctionInvoker invoker, AdminEndpoint admin, HostSettings settings, WorkerHttpForwarder forwarder, HostLog log)
{
    /// <summary>The host's <c>ScriptConstants.DefaultMaxRequestBodySize</c>; Kestrel's own default is 30 MB.</summary>
    private const long MaxRequestBodySize = 100 * 1024 * 1024;

    private static readonly byte[] HomePage = Encoding.UTF8.GetBytes(
        "<!DOCTYPE html><html><head><title>Your Functions 4.0 app is up and running</title></head><body><h1>Your Functions 4.0 app is up and running</h1></body></html>");

    public static async Task<WebApplication> StartAsync(FunctionsHostOptions options, RouteTable routes, FunctionInvoker invoker, AdminEndpoint admin, HostSettings settings, HostLog log)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodySize;
            kestrel.Listen(IPAddress.Loopback, options.Port, listen => listen.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton(options).AddSingleton(routes).AddSingleton(invoker).AddSingleton(admin).AddSingleton(settings).AddSingleton(log);
        builder.Services.AddSingleton<WorkerHttpForwarder>();
        builder.Services.AddSingleton<HttpFrontEnd>();
        var app = builder.Build();
        app.Run(app.Services.GetRequiredService<HttpFrontEnd>().HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        return app;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (AdminEndpoint.TryMatch(request, out var name))
        {
            await admin.HandleAsync(context, name).ConfigureAwait(false);
            return;
        }

        var function = routes.Match(request.Path, request.Method, out var routeValues);
        if (function is null)
        {
            await AnswerUnroutedAsync(context).ConfigureAwait(false);
            return;
        }

        try
        {
            var worker = await invoker.GetWorkerAsync(context.RequestAborted).ConfigureAwait(false);
            if (worker.HttpUri is { } workerUri)
            {
                await ForwardAsync(context, function, routeValues, worker, workerUri).ConfigureAwait(false);
                return;
            }

            // The worker that serves once the body is read: a restart may have replaced this one meanwhile.
            var invocation = await InvocationRequestFactory.CreateAsync(request, function, routeValues, context.RequestAborted).ConfigureAwait(false);
            var dispatched = await invoker.DispatchAsync(function.Name, invocation, context.RequestAborted).ConfigureAwait(false);
            if (await dispatched.Answer.ConfigureAwait(false) is not { } answer)
            {
                // The function outlasted functionTimeout.
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                return;
            }

            await WriteResponseAsync(context, function, answer.InvocationResponse).ConfigureAwait(false);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException ex)
        {
            // A body over the limit fails while the host binds the request, inside the invocation; the host's
            // ExceptionMiddleware turns that into a bare 500 (Kestrel's 413 would only show if the exception escaped).
            log.Host($"{function.Name} failed: {ex.Message}");
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        }
        catch (WorkerUnavailableException ex)
        {
            log.Host($"{request.Method} {request.Path} → 503: {ex.Message}");
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away.
        }
    }

    /// <summary>
    /// Runs an HTTP invocation of a worker that serves HTTP itself, in the host's order: the forward starts first, so the
    /// request is on its way to the worker's server when the invocation arrives ("as this will ensure the context is
    /// properly set up", host PR #10121); the worker's server waits up to 5 s for the invocation of the id it was given.
    /// </summary>
    private async Task ForwardAsync(HttpContext context, HttpFunction function, RouteValueDictionary routeValues, WorkerSession worker, Uri workerUri)
    {
        var invocation = InvocationRequestFactory.CreateForwarded(context.Request, function, routeValues);
        using var stopForward = new CancellationTokenSource();
        var forward = forwarder.ForwardAsync(context, workerUri, invocation.InvocationRequest.InvocationId, stopForward.Token);
        var dispatched = invoker.Dispatch(worker, function.Name, invocation, context.RequestAborted);
        await ForwardedInvocation.CompleteAsync(context.Response, function.Name, forward, stopForward, dispatched.Answer, log).ConfigureAwait(false);
    }

    /// <summary>No function matched: the host's home page answers <c>/</c>; anything else is a bare 404.</summary>
    private async Task AnswerUnroutedAsync(HttpContext context)
    {
        var response = context.Response;
        if (context.Request.Path != "/")
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (settings.HomepageDisabled)
        {
            response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/html";
        response.ContentLength = HomePage.Length;
        await response.Body.WriteAsync(HomePage, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task WriteResponseAsync(HttpContext context, HttpFunction function, InvocationResponse? invocation)
    {
        if (invocation?.Result?.Status != StatusResult.Types.Status.Success)
        {
            // The host answers a failed invocation with a bare 500, and logs why.
            log.Host($"{function.Name} failed: {invocation?.Result?.Exception?.Message ?? "no result"}");
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }

        var http = invocation.ReturnValue?.Http ?? invocation.OutputData.Select(o => o.Data?.Http).FirstOrDefault(h => h is not null);
        await HttpResponseWriter.WriteAsync(context.Response, http, context.RequestAborted).ConfigureAwait(false);
    }
}
