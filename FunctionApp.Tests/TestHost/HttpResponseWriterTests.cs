using FunctionApp.TestHost.Http;
using FunctionApp.TestHost.Rpc;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace FunctionApp.Tests.TestHost;

/// <summary>The response the caller gets for what the worker returned.</summary>
public sealed class HttpResponseWriterTests
{
    [Fact]
    public async Task AFunctionThatSetsNoResponseGets200WithAnEmptyBody()
    {
        // The host answers with an OkResult when the invocation produced no HTTP response.
        var context = new DefaultHttpContext { Response = { StatusCode = StatusCodes.Status418ImATeapot, Body = new MemoryStream() } };

        await HttpResponseWriter.WriteAsync(context.Response, http: null, CancellationToken.None);

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal(0, context.Response.Body.Length);
    }

    [Fact]
    public async Task TheWorkersStatusHeadersAndBodyAreWritten()
    {
        var context = new DefaultHttpContext { Response = { Body = new MemoryStream() } };
        var http = new RpcHttp { StatusCode = "401", Headers = { ["WWW-Authenticate"] = "ApiKey header=\"api-key\"" }, Body = new TypedData { Bytes = ByteString.CopyFromUtf8("{}") } };

        await HttpResponseWriter.WriteAsync(context.Response, http, CancellationToken.None);

        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        Assert.Equal("ApiKey header=\"api-key\"", context.Response.Headers.WWWAuthenticate.ToString());
        Assert.Equal("{}"u8.ToArray(), ((MemoryStream)context.Response.Body).ToArray());
    }
}
