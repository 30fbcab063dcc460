using System.Globalization;
using System.Text.Json;
using FunctionApp.TestHost.Routing;
using FunctionApp.TestHost.Rpc;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FunctionApp.TestHost.Http;

/// <summary>
/// Turns an HTTP request into the invocation the Functions host sends an isolated worker. For the built-in HTTP model
/// (<see cref="CreateAsync"/>): headers lower-cased and comma-joined into <c>nullable_headers</c>, an absolute URL that
/// carries the query, route values as params and trigger metadata, and the body as bytes when it has a Content-Length.
/// For a worker that serves HTTP itself (<see cref="CreateForwarded"/>): the same trigger metadata, but an empty
/// <c>RpcHttp</c>, since the request itself is forwarded to the worker's server.
/// </summary>
internal static class InvocationRequestFactory
{
    /// <exception cref="BadHttpRequestException">The body is over the server's size limit.</exception>
    public static async Task<StreamingMessage> CreateAsync(HttpRequest request, HttpFunction function, RouteValueDictionary routeValues, CancellationToken cancellationToken)
    {
        var http = new RpcHttp
        {
            Method = request.Method,
            Url = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}",
        };

        // The host reads the body only when Content-Length is above 0 (GrpcMessageConversionExtensions): a chunked body
        // never reaches the worker.
        if (request.ContentLength > 0)
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, cancellationToken).ConfigureAwait(false);
            http.Body = new TypedData { Bytes = ByteString.CopyFrom(body.GetBuffer(), 0, (int)body.Length) };
        }

        var headers = Headers(request);
        foreach (var (name, value) in headers)
        {
            http.NullableHeaders[name] = new NullableString { Value = value };
        }

        var query = Query(request);
        foreach (var (name, value) in query)
        {
            http.NullableQuery[name] = new NullableString { Value = value };
        }

        foreach (var (name, value) in routeValues)
        {
            http.NullableParams[name] = new NullableString { Value = RouteValue(value) };
        }

        return Create(function, http, headers, query, routeValues);
    }

    /// <summary>
    /// The invocation that goes with a request forwarded to an ASP.NET Core integration worker: with the worker's
    /// <c>HttpUri</c> the host's <c>ToRpcHttp</c> sends an empty <c>RpcHttp</c> (no method, url, headers, query or body),
    /// while the trigger metadata still carries the headers, the query and the route values. The body is left unread
    /// for the forward to stream.
    /// </summary>
    public static StreamingMessage CreateForwarded(HttpRequest request, HttpFunction function, RouteValueDictionary routeValues) =>
        Create(function, new RpcHttp(), Headers(request), Query(request), routeValues);

    private static StreamingMessage Create(HttpFunction function, RpcHttp http, Dictionary<string, string> headers, Dictionary<string, string> query, RouteValueDictionary routeValues)
    {
        var invocation = new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = function.FunctionId,
            InputData = { new ParameterBinding { Name = function.TriggerParameter, Data = new TypedData { Http = http } } },
            TraceContext = new RpcTraceContext(),
        };
        foreach (var (name, value) in routeValues)
        {
            invocation.TriggerMetadata[name] = new TypedData { String = RouteValue(value) };
        }

        invocation.TriggerMetadata["Query"] = new TypedData { Json = JsonSerializer.Serialize(query) };
        invocation.TriggerMetadata["Headers"] = new TypedData { Json = JsonSerializer.Serialize(headers) };
        return new StreamingMessage { InvocationRequest = invocation };
    }

    private static string RouteValue(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;

    private static Dictionary<string, string> Headers(HttpRequest request)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in request.Headers)
        {
            headers[name.ToLowerInvariant()] = values.ToString();
        }

        return headers;
    }

    private static Dictionary<string, string> Query(HttpRequest request)
    {
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in request.Query)
        {
            query[name] = values.ToString();
        }

        return query;
    }
}
