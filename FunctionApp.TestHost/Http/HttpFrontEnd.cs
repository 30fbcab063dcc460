using System.Net;
using System.Text;
using FunctionApp.TestHost.Protocol;
using FunctionApp.TestHost.Routing;
using FunctionApp.TestHost.Rpc;
using FunctionApp.TestHost.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace FunctionApp.TestHost.Http;

/// <summary>
/// The host's HTTP side: routes each request, turns it into an invocation (<see cref="InvocationRequestFactory"/>), runs
/// it in the dispatcher's worker within host.json's <c>functionTimeout</c>, and turns the answer back into a response
/// (<see cref="HttpResponseWriter"/>).
/// Kestrel's default request limits stay in place, except the body size, which the host raises to 100 MB.
/// </summary>
internal sealed class HttpFrontEnd(RouteTable routes, FunctionDispatcher dispatcher, HostSettings settings, HostLog log)
{
    /// <summary>
    /// How long a timed-out function gets to finish before its worker is replaced: the WebJobs SDK's
    /// <c>TimeoutAttribute.GracePeriod</c>, which the host's exception handler waits for.
    /// </summary>
    private static readonly TimeSpan TimeoutGracePeriod = TimeSpan.FromSeconds(2);

    /// <summary>The host's <c>ScriptConstants.DefaultMaxRequestBodySize</c>; Kestrel's own default is 30 MB.</summary>
    private const long MaxRequestBodySize = 100 * 1024 * 1024;

    private static readonly byte[] HomePage = Encoding.UTF8.GetBytes(
        "<!DOCTYPE html><html><head><title>Your Functions 4.0 app is up and running</title></head><body><h1>Your Functions 4.0 app is up and running</h1></body></html>");

    public static async Task<WebApplication> StartAsync(int port, HttpFrontEnd frontEnd)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodySize;
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        app.Run(frontEnd.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        return app;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var function = routes.Match(request.Path, request.Method, out var routeValues);
        if (function is null)
        {
            await AnswerUnroutedAsync(context).ConfigureAwait(false);
            return;
        }

        try
        {
            var invocation = await InvocationRequestFactory.CreateAsync(request, function, routeValues, context.RequestAborted).ConfigureAwait(false);

            // While the worker is being replaced after a timeout, this waits for the new one, as the host holds requests.
            var worker = await dispatcher.GetWorkerAsync().WaitAsync(context.RequestAborted).ConfigureAwait(false);
            if (await InvokeAsync(worker, function, invocation, context.RequestAborted).ConfigureAwait(false) is not { } answer)
            {
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
    /// Runs the invocation in <paramref name="worker"/> and returns its answer, or null if it outlasted host.json's
    /// <c>functionTimeout</c>. Then, like the host, it logs the timeout, gives the function a grace period to finish,
    /// and if it has not, has the worker replaced before the caller gets its 500.
    /// </summary>
    private async Task<StreamingMessage?> InvokeAsync(WorkerSession worker, HttpFunction function, StreamingMessage invocation, CancellationToken requestAborted)
    {
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        var answer = worker.Channel.RequestAsync(invocation, abandon.Token);
        try
        {
            if (settings.FunctionTimeout is not { } limit)
            {
                return await answer.ConfigureAwait(false);
            }

            try
            {
                return await answer.WaitAsync(limit, requestAborted).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Handled below, as the WebJobs SDK's FunctionExecutor and the host's exception handler do.
            }

            log.Host($"Timeout value of {limit} was exceeded by function: Functions.{function.Name}");
            if (await Task.WhenAny(answer, Task.Delay(TimeoutGracePeriod, CancellationToken.None)).ConfigureAwait(false) != answer)
            {
                try
                {
                    await dispatcher.RestartAfterTimeoutAsync(worker, invocation.InvocationRequest.InvocationId).ConfigureAwait(false);
                }
                catch (WorkerUnavailableException)
                {
                    // The dispatcher has logged it; this caller gets its 500 like any timed-out one, later ones a 503.
                }
            }

            return null;
        }
        finally
        {
            if (!answer.IsCompletedSuccessfully)
            {
                // Stop waiting for an answer nobody reads any more, and observe how the wait ends so no failure goes unobserved.
                await abandon.CancelAsync().ConfigureAwait(false);
                _ = answer.ContinueWith(static wait => wait.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
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
