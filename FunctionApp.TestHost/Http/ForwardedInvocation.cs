using FunctionApp.TestHost.Protocol;
using FunctionApp.TestHost.Rpc;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionApp.TestHost.Http;

/// <summary>
/// The end of an HTTP invocation of an ASP.NET Core integration worker, which travels two ways at once: the request
/// forwarded to the worker's server (<see cref="WorkerHttpForwarder"/>) and the <c>InvocationRequest</c> over gRPC. As
/// the host's <c>GrpcWorkerChannel.InvokeResponse</c> awaits the forward before it completes the invocation, this
/// returns, and so lets the client's response end, only once both have ended. The client gets the worker's response as
/// YARP copied it, or a status for an invocation that did not succeed; the HTTP value of the <c>InvocationResponse</c> is
/// never read.
/// </summary>
internal static class ForwardedInvocation
{
    /// <summary>
    /// Waits for <paramref name="forward"/> and <paramref name="answer"/>, and settles what the client gets. The worker's
    /// response, or YARP's 502 or 504 when the forward failed, stands unless the invocation did not succeed and nothing
    /// has been sent yet: then, as the host's <c>ExceptionMiddleware</c> answers a failed invocation whose response has
    /// not started, the client gets 500 (a function that threw, or timed out), or 503 when the worker was lost (the test
    /// host's answer for that in both models). A worker's response with no body has not started: the worker answers a
    /// function that threw with an empty 200, which thus becomes 500. Once bytes have gone out, nothing changes them; a
    /// forward that fails then cuts the response off.
    /// </summary>
    /// <param name="response">The client's response, which the forward writes.</param>
    /// <param name="functionName">The function, for the log.</param>
    /// <param name="forward">The forward, started before the invocation was sent.</param>
    /// <param name="stopForward">Stops the forward.</param>
    /// <param name="answer">The <c>InvocationResponse</c>: null after a function timeout; cancelled when the client went away.</param>
    /// <param name="log">The host log.</param>
    public static async Task CompleteAsync(HttpResponse response, string functionName, Task<ForwarderError> forward, CancellationTokenSource stopForward, Task<StreamingMessage?> answer, HostLog log)
    {
        // An InvocationResponse leaves the worker's server to finish its response, within the idle limit; after a
        // timeout or with the worker gone no response is coming, so the forward is stopped.
        if (await Task.WhenAny(forward, answer).ConfigureAwait(false) == answer && answer is not { IsCompletedSuccessfully: true, Result: not null })
        {
            await stopForward.CancelAsync().ConfigureAwait(false);
        }

        var forwarded = await forward.ConfigureAwait(false);
        int status;
        try
        {
            var message = await answer.ConfigureAwait(false);
            if (message is null)
            {
                // FunctionInvoker has logged the timeout and had the worker replaced.
                status = StatusCodes.Status500InternalServerError;
            }
            else if (message.InvocationResponse?.Result is { Status: StatusResult.Types.Status.Success })
            {
                return;
            }
            else
            {
                log.Host($"{functionName} failed: {message.InvocationResponse?.Result?.Exception?.Message ?? message.InvocationResponse?.Result?.Result ?? "no result"}");

                // When the forward failed, YARP's status says why; the host would then fail the invocation as well (see the README).
                if (forwarded != ForwarderError.None)
                {
                    return;
                }

                status = StatusCodes.Status500InternalServerError;
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away; the forward has ended on its own.
            return;
        }
        catch (WorkerUnavailableException ex)
        {
            log.Host($"{functionName} failed: {ex.Message}");
            status = StatusCodes.Status503ServiceUnavailable;
        }

        if (response.HasStarted)
        {
            log.Host($"{functionName}: the worker's response had started, so the client keeps what it got.");
            return;
        }

        response.StatusCode = status;
    }
}
