using System.Globalization;
using System.Text.Json;
using FunctionApp.TestHost.Routing;
using FunctionApp.TestHost.Rpc;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FunctionApp.TestHost.Http;

/// <summary>
/// Turns an HTTP request into the invocation the Functions host sends an isolated worker: headers lower-cased and
/// comma-joined into <c>nullable_headers</c>, an absolute URL that carries the query, route values as params and
/// trigger metadata, and the body as bytes when it has a Content-Length.
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

        foreach (var (name, values) in request.Headers)
        {
            http.NullableHeaders[name.ToLowerInvariant()] = new NullableString { Value = values.ToString() };
        }

        foreach (var (name, values) in request.Query)
        {
            http.NullableQuery[name] = new NullableString { Value = values.ToString() };
        }

        var invocation = new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = function.FunctionId,
            InputData = { new ParameterBinding { Name = function.TriggerParameter, Data = new TypedData { Http = http } } },
            TraceContext = new RpcTraceContext(),
        };
        foreach (var (name, value) in routeValues)
        {
            var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
            http.NullableParams[name] = new NullableString { Value = text };
            invocation.TriggerMetadata[name] = new TypedData { String = text };
        }

        invocation.TriggerMetadata["Query"] = new TypedData { Json = JsonSerializer.Serialize(http.NullableQuery.ToDictionary(q => q.Key, q => q.Value.Value)) };
        invocation.TriggerMetadata["Headers"] = new TypedData { Json = JsonSerializer.Serialize(http.NullableHeaders.ToDictionary(h => h.Key, h => h.Value.Value)) };
        return new StreamingMessage { InvocationRequest = invocation };
    }
}
