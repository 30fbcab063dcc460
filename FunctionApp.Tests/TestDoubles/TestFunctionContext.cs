using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Tests.TestDoubles;

/// <summary>
/// A <see cref="FunctionContext"/> built from the worker's public abstractions, carrying one invocation's
/// features: the HTTP request (if any) and the bindings that hold the invocation result.
/// </summary>
internal sealed class TestFunctionContext : FunctionContext
{
    public TestFunctionContext(FunctionDefinition definition)
    {
        FunctionDefinition = definition;
        Bindings = FunctionBindingsDouble.Create();
        ((TestInvocationFeatures)Features).Set(FunctionBindingsDouble.FeatureType, Bindings.Feature);
    }

    /// <summary>Makes this an HTTP invocation: <c>GetHttpRequestDataAsync()</c> returns a request built on this context.</summary>
    public TestHttpRequestData AttachRequest(string url = "http://localhost/secure-endpoint", string method = "GET")
    {
        var request = new TestHttpRequestData(this, method, url);
        Features.Set<IHttpRequestDataFeature>(new TestHttpRequestDataFeature(request));
        return request;
    }

    public override string InvocationId { get; } = Guid.NewGuid().ToString();

    public override string FunctionId => FunctionDefinition.Id;

    public override TraceContext TraceContext => throw new NotSupportedException();

    public override BindingContext BindingContext => throw new NotSupportedException();

    public override RetryContext RetryContext => throw new NotSupportedException();

    public override IServiceProvider InstanceServices { get; set; } = EmptyServiceProvider.Instance;

    public override FunctionDefinition FunctionDefinition { get; }

    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

    public override IInvocationFeatures Features { get; } = new TestInvocationFeatures();

    /// <summary>What the worker's own bindings feature would hold: the invocation result and output bindings.</summary>
    public FunctionBindingsDouble Bindings { get; }

    private sealed class EmptyServiceProvider : IServiceProvider
    {
        public static readonly EmptyServiceProvider Instance = new();

        public object? GetService(Type serviceType) => null;
    }

    private sealed class TestHttpRequestDataFeature(HttpRequestData request) : IHttpRequestDataFeature
    {
        public ValueTask<HttpRequestData?> GetHttpRequestDataAsync(FunctionContext context) => ValueTask.FromResult<HttpRequestData?>(request);
    }
}
