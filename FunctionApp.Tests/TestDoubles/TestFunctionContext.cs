using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionApp.Tests.TestDoubles;

/// <summary>
/// A <see cref="FunctionContext"/> built from the worker's public abstractions, carrying one invocation's
/// features: the HTTP request (if any) and the bindings that hold the invocation result.
/// </summary>
internal sealed class TestFunctionContext : FunctionContext
{
    private BindingContext _bindingContext = new HeadersBindingContext(null);

    public TestFunctionContext(FunctionDefinition definition)
    {
        FunctionDefinition = definition;
        Bindings = FunctionBindingsDouble.Create();
        ((TestInvocationFeatures)Features).Set(FunctionBindingsDouble.FeatureType, Bindings.Feature);
    }

    /// <summary>
    /// Makes this an HTTP invocation: <c>GetHttpRequestDataAsync()</c> returns a request built on this context, and,
    /// unless <paramref name="headersBindingData"/> is false, the binding data holds its headers as the host sends them,
    /// a JSON object under <c>Headers</c>.
    /// </summary>
    public TestHttpRequestData AttachRequest(string url = "http://localhost/secure-endpoint", string method = "GET", bool headersBindingData = true)
    {
        var request = new TestHttpRequestData(this, method, url);
        Features.Set<IHttpRequestDataFeature>(new TestHttpRequestDataFeature(request));
        if (headersBindingData)
        {
            _bindingContext = new HeadersBindingContext(request);
        }

        return request;
    }

    public override string InvocationId { get; } = Guid.NewGuid().ToString();

    public override string FunctionId => FunctionDefinition.Id;

    public override TraceContext TraceContext => throw new NotSupportedException();

    public override BindingContext BindingContext => _bindingContext;

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

    /// <summary>The trigger's binding data as the host sends it: each header's values comma-joined, read when asked for.</summary>
    private sealed class HeadersBindingContext(HttpRequestData? request) : BindingContext
    {
        public override IReadOnlyDictionary<string, object?> BindingData => request is null
            ? new Dictionary<string, object?>()
            : new Dictionary<string, object?> { ["Headers"] = JsonSerializer.Serialize(request.Headers.NonValidated.ToDictionary(h => h.Key, h => string.Join(',', h.Value))) };
    }

    private sealed class TestHttpRequestDataFeature(HttpRequestData request) : IHttpRequestDataFeature
    {
        public ValueTask<HttpRequestData?> GetHttpRequestDataAsync(FunctionContext context) => ValueTask.FromResult<HttpRequestData?>(request);
    }
}
