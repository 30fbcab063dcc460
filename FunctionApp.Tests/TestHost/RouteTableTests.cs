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

    [Fact]
    public void TheRootRouteOfAspNetCoreIntegrationMatchesOnlyTheSiteRootAsItsConstraintSays()
    {
        // Root sorts first, so without its constraint it would take every single-segment path.
        var routes = Table("", TestFunctionMetadata.Http("Root", "{root:maxlength(0)?}", "get"), TestFunctionMetadata.Http("SecureEndpoint", "secure-endpoint", "get"));

        Assert.Equal("Root", routes.Match("/", "GET", out _)?.Name);
        Assert.Equal("SecureEndpoint", routes.Match("/secure-endpoint", "GET", out _)?.Name);
        Assert.Null(routes.Match("/other", "GET", out _));
    }

    [Fact]
    public void AnInlineConstraintDecidesWhetherARouteMatches()
    {
        var routes = Table("api", TestFunctionMetadata.Http("Item", "items/{id:int}", "get"), TestFunctionMetadata.Http("Named", "items/{name:alpha}", "get"));

        Assert.Equal("Item", routes.Match("/api/items/42", "GET", out var values)?.Name);
        Assert.Equal("42", values["id"]);
        Assert.Equal("Named", routes.Match("/api/items/abc", "GET", out _)?.Name);
        Assert.Null(routes.Match("/api/items/4b", "GET", out _));
    }

    [Fact]
    public void RoutesAreTriedInTheHostsOrderByFunctionNameAndTheFirstMatchWins()
    {
        // Neither the worker's order (Zeta first) nor the more specific literal route decides: the host sorts by name.
        var routes = Table("api", TestFunctionMetadata.Http("Zeta", "items/special", "get"), TestFunctionMetadata.Http("alpha", "items/{id}", "get"));

        Assert.Equal(["alpha", "Zeta"], routes.Functions.Select(f => f.Name));
        Assert.Equal("alpha", routes.Match("/api/items/special", "GET", out var values)?.Name);
        Assert.Equal("special", values["id"]);
    }

    [Fact]
    public void ARouteUnderAdminOrRuntimeLeavesOnlyThatFunctionOut()
    {
        var routes = Table(
            "api",
            TestFunctionMetadata.Http("Keys", "admin/keys", "get"),
            TestFunctionMetadata.Http("Administrators", "Administrators", "get"),
            TestFunctionMetadata.Http("Status", "/Runtime/status", "get"),
            TestFunctionMetadata.Http("Items", "items", "get"));

        Assert.Equal(["Items"], routes.Functions.Select(f => f.Name));
        Assert.Equal(["Administrators", "Keys", "Status"], routes.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.All(routes.Errors.Values, e => Assert.Equal("The specified route conflicts with one or more built in routes.", e));
        Assert.Null(routes.Match("/api/admin/keys", "GET", out _));
        Assert.Equal("Items", routes.Match("/api/items", "GET", out _)?.Name);
    }

    [Fact]
    public void ARouteThatConflictsWithAnEarlierFunctionsLeavesTheLaterOneOut()
    {
        var routes = Table(
            "",
            TestFunctionMetadata.Http("A", "items", "get"),
            TestFunctionMetadata.Http("B", "/Items/", "get", "post"),
            TestFunctionMetadata.Http("C", "items", "put"),
            TestFunctionMetadata.Http("D", "items"),
            TestFunctionMetadata.Http("E", "items", "GET"));

        // The host compares routes ignoring case and outer slashes; methods as written, so "GET" and "get" do not meet.
        Assert.Equal(["A", "C", "E"], routes.Functions.Select(f => f.Name));
        Assert.Equal("The route specified conflicts with the route defined by function 'A'.", routes.Errors["B"]);
        Assert.Equal("The route specified conflicts with the route defined by function 'A'.", routes.Errors["D"]);
        Assert.Equal("C", routes.Match("/items", "PUT", out _)?.Name);
        Assert.Null(routes.Match("/items", "POST", out _));
    }

    [Fact]
    public void HeadReachesAFunctionThatListsHeadAndNotAGetOnlyOne()
    {
        // The host runs no GET function for HEAD (azure-functions-host#11625 asks for that); a function must list "head".
        var routes = Table("", TestFunctionMetadata.Http("Status", "status", "get", "head"), TestFunctionMetadata.Http("Secure", "secure", "get"));

        Assert.Equal("Status", routes.Match("/status", "HEAD", out _)?.Name);
        Assert.Equal("Status", routes.Match("/status", "head", out _)?.Name);
        Assert.Null(routes.Match("/secure", "HEAD", out _));
        Assert.Equal("Secure", routes.Match("/secure", "GET", out _)?.Name);
    }

    private static RouteTable Table(string prefix, params RpcFunctionMetadata[] metadata) =>
        new(metadata.Select(m => HttpFunction.FromMetadata(m, prefix)!));
}
