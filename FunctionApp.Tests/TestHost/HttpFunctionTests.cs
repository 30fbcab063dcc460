using FunctionApp.TestHost.Routing;

namespace FunctionApp.Tests.TestHost;

/// <summary>Route templates as the host's WebJobsRouteBuilder builds them: prefix + "/" + route, nothing trimmed.</summary>
public sealed class HttpFunctionTests
{
    [Theory]
    [InlineData("api", "secure-endpoint", "api/secure-endpoint")]
    [InlineData("", "secure-endpoint", "secure-endpoint")]
    [InlineData("", "/", "/")]
    [InlineData("api", "/", "api//")]
    [InlineData("api", "/items", "api//items")]
    [InlineData("api/", "items", "api//items")]
    [InlineData("/v1", "items/", "/v1/items/")]
    public void TheTemplateIsThePrefixASlashAndTheRouteUntrimmed(string prefix, string route, string template)
    {
        var function = HttpFunction.FromMetadata(TestFunctionMetadata.Http("Items", route), prefix);

        Assert.NotNull(function);
        Assert.Equal(template, function.Template);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void AMissingEmptyOrWhitespaceRouteIsTheFunctionName(string? route)
    {
        var function = HttpFunction.FromMetadata(TestFunctionMetadata.Http("Items", route), "api");

        Assert.NotNull(function);
        Assert.Equal("api/Items", function.Template);
    }
}
