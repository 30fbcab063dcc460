using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionApp.TestHost.Http;

/// <summary>
/// Forwards a client's request to the HTTP server of an ASP.NET Core integration worker (its <c>HttpUri</c>) and copies
/// the worker's response back to the client, as the host's <c>DefaultHttpProxyService</c> does: YARP's
/// <see cref="IHttpForwarder"/> with the default transforms plus <c>x-ms-invocation-id</c>
/// (<see cref="WorkerRequestTransformer"/>), the body streamed both ways (a chunked one too), a client without redirects
/// or cookies that retries a request that did not get through (<see cref="RetryProxyHandler"/>), and an idle limit
/// (<see cref="FunctionsHostOptions.HttpProxyActivityTimeout"/>). When the forward fails before anything reached the
/// client, YARP has set the status: 502 for a worker that cannot be reached or breaks off, 504 for one that stays silent
/// past the idle limit; a response already under way is cut off instead.
/// </summary>
internal sealed class WorkerHttpForwarder : IDisposable
{
    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _client;
    private readonly ForwarderRequestConfig _config;
    private readonly HostLog _log;

    public WorkerHttpForwarder(IHttpForwarder forwarder, FunctionsHostOptions options, TimeProvider time, HostLog log)
    {
        _forwarder = forwarder;
        _log = log;
        var sockets = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false };
        _client = new HttpMessageInvoker(new RetryProxyHandler(sockets, time, log), disposeHandler: true);
        _config = new ForwarderRequestConfig { ActivityTimeout = options.HttpProxyActivityTimeout };
    }

    /// <summary>
    /// Starts forwarding <paramref name="context"/>'s request to <paramref name="workerUri"/>, tagged with
    /// <paramref name="invocationId"/>; the task completes when the worker's response has been copied to the client, or
    /// the forward has failed (logged, with YARP's status set when nothing was sent yet).
    /// </summary>
    /// <param name="context">The client's request and response.</param>
    /// <param name="workerUri">The worker's <c>HttpUri</c>; the request's path and query are appended to it.</param>
    /// <param name="invocationId">The invocation the worker must pair this request with.</param>
    /// <param name="cancellationToken">Ends the forward (e.g. the invocation timed out); the client going away ends it too.</param>
    /// <returns>How the forward ended; <see cref="ForwarderError.None"/> when the worker's whole response reached the client.</returns>
    public async Task<ForwarderError> ForwardAsync(HttpContext context, Uri workerUri, string invocationId, CancellationToken cancellationToken)
    {
        var error = await _forwarder.SendAsync(context, workerUri.ToString(), _client, _config, new WorkerRequestTransformer(invocationId), cancellationToken).ConfigureAwait(false);
        if (error != ForwarderError.None)
        {
            // The host's message (DefaultHttpProxyService); exception messages name no header values.
            var cause = context.Features.Get<IForwarderErrorFeature>()?.Exception?.Message;
            var outcome = context.Response.HasStarted ? "response cut off" : "nothing sent yet";
            _log.Host($"{context.Request.Method} {context.Request.Path} ({outcome}): Failed to proxy request with ForwarderError: {error}. {cause}");
        }

        return error;
    }

    public void Dispose() => _client.Dispose();
}
