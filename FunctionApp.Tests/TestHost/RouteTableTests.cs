using FunctionApp.TestHost.Routing;
using FunctionApp.TestHost.Rpc;

namespace FunctionApp.Tests.TestHost;

/// <summary>Which function a request reaches, and which functions the host refuses to route at all.</summary>
public sealed class RouteTableTests
{
    [Fact]
    public void AnUnparsableTemplateFailsTheTableNamingTheFunctionAndTheTemplate()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Table("api", TestFunctionMetadata.Http("Root", "/", "get")));

        Assert.Contains("'Root'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'api//'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheRootRouteWithoutAPrefixServesTheSiteRoot()
    {
        var routes = Table("", TestFunctionMetadata.Http("Root", "/", "get"));

        Assert.Equal("Root", routes.Match("/", "GET", out _)?.Name);
    }

    private static RouteTable Table(string prefix, params RpcFunctionMetadata[] metadata) =>
        new(metadata.Select(m => HttpFunction.FromMetadata(m, prefix)!));
}
