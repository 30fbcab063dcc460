using System.Text;
using FunctionApp.TestHost.Http;
using FunctionApp.TestHost.Routing;
using FunctionApp.TestHost.Rpc;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FunctionApp.Tests.TestHost;

/// <summary>What of a request reaches the worker.</summary>
public sealed class InvocationRequestFactoryTests
{
    private static readonly HttpFunction Function = HttpFunction.FromMetadata(TestFunctionMetadata.Http("Items", "items", "post"), "")!;

    [Fact]
    public async Task ABodyWithAContentLengthIsForwardedAsBytes()
    {
        var http = await CreateAsync(body: "{\"a\":1}", contentLength: 7);

        Assert.Equal(TypedData.DataOneofCase.Bytes, http.Body.DataCase);
        Assert.Equal("{\"a\":1}", http.Body.Bytes.ToStringUtf8());
    }

    [Fact]
    public async Task AChunkedBodyWithoutAContentLengthIsDropped()
    {
        // The host forwards a body only when Content-Length is above 0.
        var http = await CreateAsync(body: "{\"a\":1}", contentLength: null);

        Assert.Null(http.Body);
    }

    [Fact]
    public async Task HeadersAreLowerCasedAndTheUrlCarriesTheQuery()
    {
        var http = await CreateAsync(body: "", contentLength: 0);

        Assert.Equal("K", http.NullableHeaders["api-key"].Value);
        Assert.Equal("http://localhost/items?x=1", http.Url);
        Assert.Equal("1", http.NullableQuery["x"].Value);
        Assert.Null(http.Body);
    }

    [Fact]
    public void AForwardedRequestsInvocationHasAnEmptyRpcHttpAndTheRequestOnlyInItsTriggerMetadata()
    {
        // As the host sends it to a worker with an HttpUri; the body is left for the forward to stream.
        var request = Request(body: "{\"a\":1}", contentLength: 7);

        var invocation = InvocationRequestFactory.CreateForwarded(request, Function, new RouteValueDictionary { ["id"] = 7 }).InvocationRequest;

        Assert.Equal(new RpcHttp(), Assert.Single(invocation.InputData, d => d.Name == "request").Data.Http);
        Assert.Equal(Function.FunctionId, invocation.FunctionId);
        Assert.True(Guid.TryParse(invocation.InvocationId, out _));
        Assert.NotNull(invocation.TraceContext);
        Assert.Equal("7", invocation.TriggerMetadata["id"].String);
        Assert.Equal("""{"x":"1"}""", invocation.TriggerMetadata["Query"].Json);
        Assert.Contains("\"api-key\":\"K\"", invocation.TriggerMetadata["Headers"].Json, StringComparison.Ordinal);
        Assert.Equal(0, request.Body.Position);
    }

    private static async Task<RpcHttp> CreateAsync(string body, long? contentLength)
    {
        var message = await InvocationRequestFactory.CreateAsync(Request(body, contentLength), Function, new RouteValueDictionary(), CancellationToken.None);

        return Assert.Single(message.InvocationRequest.InputData, d => d.Name == "request").Data.Http;
    }

    private static HttpRequest Request(string body, long? contentLength)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("localhost");
        context.Request.Path = "/items";
        context.Request.QueryString = new QueryString("?x=1");
        context.Request.Headers["API-KEY"] = "K";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        context.Request.ContentLength = contentLength;
        return context.Request;
    }
}
