using System.Globalization;
using System.Text;
using FunctionApp.TestHost.Rpc;
using Microsoft.AspNetCore.Http;

namespace FunctionApp.TestHost.Http;

/// <summary>Writes the HTTP response a worker returned from a successful invocation, as the Functions host does.</summary>
internal static class HttpResponseWriter
{
    /// <param name="response">The response to the caller.</param>
    /// <param name="http">The worker's response: its return value, or its first HTTP output binding; null if it set none.</param>
    /// <param name="cancellationToken">The caller went away.</param>
    public static async Task WriteAsync(HttpResponse response, RpcHttp? http, CancellationToken cancellationToken)
    {
        if (http is null)
        {
            // The host's FunctionInvocationMiddleware answers with an OkResult when the function set no response.
            response.StatusCode = StatusCodes.Status200OK;
            return;
        }

        response.StatusCode = int.TryParse(http.StatusCode, NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : StatusCodes.Status200OK;
        foreach (var (name, value) in http.Headers)
        {
            if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && !name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                response.Headers.Append(name, value);
            }
        }

        var body = http.Body switch
        {
            { DataCase: TypedData.DataOneofCase.Bytes } b => b.Bytes.Memory,
            { DataCase: TypedData.DataOneofCase.Stream } s => s.Stream.Memory,
            { DataCase: TypedData.DataOneofCase.String } s => Encoding.UTF8.GetBytes(s.String),
            { DataCase: TypedData.DataOneofCase.Json } j => Encoding.UTF8.GetBytes(j.Json),
            _ => ReadOnlyMemory<byte>.Empty,
        };
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }
}
