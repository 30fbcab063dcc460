using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Functions;

/// <summary>Writes a JSON response with source-generated serialization (no reflection, exact property names).</summary>
internal static class JsonResponses
{
    public static async Task<HttpResponseData> WriteAsync<T>(HttpRequestData request, HttpStatusCode status, T body, JsonTypeInfo<T> typeInfo)
    {
        var response = request.CreateResponse(status);
        response.Headers.Add("Content-Type", "application/json; charset=utf-8");
        await JsonSerializer.SerializeAsync(response.Body, body, typeInfo).ConfigureAwait(false);
        return response;
    }
}
