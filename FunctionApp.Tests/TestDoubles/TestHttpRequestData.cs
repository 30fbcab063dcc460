using System.Security.Claims;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Tests.TestDoubles;

/// <summary>An HTTP request as the worker hands it to middleware: headers added without validation, as the gRPC layer does.</summary>
internal sealed class TestHttpRequestData(FunctionContext context, string method = "GET", string url = "http://localhost/secure-endpoint")
    : HttpRequestData(context)
{
    public override Stream Body { get; } = new MemoryStream();

    public override HttpHeadersCollection Headers { get; } = [];

    public override IReadOnlyCollection<IHttpCookie> Cookies { get; } = [];

    public override Uri Url { get; } = new(url);

    public override IEnumerable<ClaimsIdentity> Identities { get; } = [];

    public override string Method { get; } = method;

    public override HttpResponseData CreateResponse() => new TestHttpResponseData(FunctionContext);

    /// <summary>Adds a header the way the worker's gRPC layer does: as received, one string per header.</summary>
    public TestHttpRequestData WithHeader(string name, string value)
    {
        Headers.TryAddWithoutValidation(name, value);
        return this;
    }
}
