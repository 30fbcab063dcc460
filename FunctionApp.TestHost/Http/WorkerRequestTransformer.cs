using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionApp.TestHost.Http;

/// <summary>
/// What the host's forward changes in a request to the worker: YARP's <see cref="HttpTransformer.Default"/>, which the
/// host uses (every request header but the protocol ones, no original <c>Host</c>, <c>X-Forwarded-For</c>,
/// <c>-Proto</c>, <c>-Host</c> and <c>-Prefix</c> set from the connection, <c>Forwarded</c> removed), plus the
/// invocation id in <c>x-ms-invocation-id</c>, by which the worker pairs the request with its invocation.
/// </summary>
/// <remarks>
/// The host adds that header with <c>Headers.TryAdd</c>, which keeps a value the client sent. The worker's coordinator
/// keys its requests by that value alone, so a client that sends another caller's invocation id would have its request
/// paired with that caller's invocation (and its response), or make that caller's request fail. Here the host's value
/// always replaces the client's, whatever its letter case or count.
/// </remarks>
internal sealed class WorkerRequestTransformer(string invocationId) : HttpTransformer
{
    public const string InvocationIdHeader = "x-ms-invocation-id";

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await Default.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        proxyRequest.Headers.Remove(InvocationIdHeader);
        proxyRequest.Headers.TryAddWithoutValidation(InvocationIdHeader, invocationId);
    }

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken) =>
        Default.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);

    public override ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken) =>
        Default.TransformResponseTrailersAsync(httpContext, proxyResponse, cancellationToken);
}
