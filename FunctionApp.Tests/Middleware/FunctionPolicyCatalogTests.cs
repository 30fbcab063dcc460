using FunctionApp.Tests.TestDoubles;
using FunctionsApiKey.Middleware;

namespace FunctionApp.Tests.Middleware;

public sealed class FunctionPolicyCatalogTests
{
    private readonly FunctionPolicyCatalog _catalog = new();

    [Fact]
    public void TheTutorialsRootIsAnonymousAndItsSecureEndpointProtected()
    {
        var root = _catalog.Get(MiddlewareHarness.Root);
        var secure = _catalog.Get(MiddlewareHarness.SecureEndpoint);

        Assert.False(root.IsProtected);
        Assert.True(secure.IsProtected);
        Assert.Equal("SecureEndpoint", secure.RequiredScope);
    }

    [Fact]
    public void AFunctionAddedLaterWithoutAttributesIsProtectedByItsOwnName()
    {
        var policy = _catalog.Get(new TestFunctionDefinition("AddedLater", typeof(AddedLaterFunction).FullName + ".Run"));

        Assert.True(policy.IsProtected);
        Assert.Equal("AddedLater", policy.RequiredScope);
    }

    [Fact]
    public void RequireScopeOnTheMethodOrItsClassNamesTheScope()
    {
        Assert.Equal("reports", _catalog.Get(new TestFunctionDefinition("DailyReport", typeof(ReportFunctions).FullName + ".Daily")).RequiredScope);
        Assert.Equal("admin", _catalog.Get(new TestFunctionDefinition("Purge", typeof(AdminFunctions).FullName + ".Purge")).RequiredScope);
    }

    [Fact]
    public void AllowAnonymousOnTheMethodOrItsClassWinsOverRequireScope()
    {
        Assert.False(_catalog.Get(new TestFunctionDefinition("Health", typeof(ReportFunctions).FullName + ".Health")).IsProtected);
        Assert.False(_catalog.Get(new TestFunctionDefinition("Status", typeof(PublicFunctions).FullName + ".Status")).IsProtected);
    }

    [Fact]
    public void AspNetCoresAllowAnonymousOpensAFunctionAsOursDoes()
    {
        Assert.False(_catalog.Get(new TestFunctionDefinition("AspNetCoreOpen", typeof(AspNetCoreFunctions).FullName + ".Open")).IsProtected);
        Assert.False(_catalog.Get(new TestFunctionDefinition("AspNetCoreStatus", typeof(AspNetCoreOpenFunctions).FullName + ".Status")).IsProtected);

        // Any other ASP.NET Core authorization attribute leaves the function to the gate.
        var authorized = _catalog.Get(new TestFunctionDefinition("AspNetCoreAuthorized", typeof(AspNetCoreFunctions).FullName + ".Authorized"));
        Assert.True(authorized.IsProtected);
        Assert.Equal("AspNetCoreAuthorized", authorized.RequiredScope);
    }

    [Theory]
    [InlineData("No.Such.Type.Run")]
    [InlineData("NoDot")]
    [InlineData("FunctionApp.Tests.Middleware.AmbiguousFunctions.Run")]
    public void AFunctionWhoseMethodCannotBeResolvedIsProtected(string entryPoint)
    {
        var policy = _catalog.Get(new TestFunctionDefinition("Mystery", entryPoint));

        Assert.True(policy.IsProtected);
        Assert.Equal("Mystery", policy.RequiredScope);
    }

    [Fact]
    public void AFunctionInAnAssemblyThatCannotBeLoadedIsProtected()
    {
        var policy = _catalog.Get(new TestFunctionDefinition("Status", typeof(PublicFunctions).FullName + ".Status", pathToAssembly: "/no/such/folder/App.dll"));

        Assert.True(policy.IsProtected);
    }

    [Fact]
    public void AttributesOfAFunctionInANestedClassAreFound()
    {
        var open = _catalog.Get(TestFunctionDefinition.For(typeof(OuterFunctions.NestedFunctions), "Open", "NestedOpen"));
        var scoped = _catalog.Get(TestFunctionDefinition.For(typeof(OuterFunctions.NestedFunctions), "Scoped", "NestedScoped"));

        Assert.Equal("FunctionApp.Tests.Middleware.OuterFunctions.NestedFunctions.Open", TestFunctionDefinition.For(typeof(OuterFunctions.NestedFunctions), "Open", "NestedOpen").EntryPoint);
        Assert.False(open.IsProtected);
        Assert.True(scoped.IsProtected);
        Assert.Equal("reports", scoped.RequiredScope);
    }

    [Fact]
    public void AnOverloadedMethodIsToldApartByTheFunctionItsAttributeNames()
    {
        var open = _catalog.Get(TestFunctionDefinition.For(typeof(OverloadedFunctions), "Run", "Overloaded"));
        var scoped = _catalog.Get(TestFunctionDefinition.For(typeof(OverloadedFunctions), "Run", "OverloadedScoped"));

        Assert.False(open.IsProtected);
        Assert.True(scoped.IsProtected);
        Assert.Equal("admin", scoped.RequiredScope);
    }

    [Fact]
    public async Task TheScopesOfEveryProtectedHttpFunctionAreListedFromTheWorkersMetadata()
    {
        var catalog = new FunctionPolicyCatalog(new TestFunctionMetadataProvider(
            (typeof(ReportFunctions), "Daily", "DailyReport", "httpTrigger"),
            (typeof(ReportFunctions), "Health", "Health", "httpTrigger"),
            (typeof(AdminFunctions), "Purge", "Purge", "httpTrigger"),
            (typeof(AddedLaterFunction), "Run", "AddedLater", "httpTrigger"),
            (typeof(QueueFunctions), "Run", "ProcessQueue", "queueTrigger")));

        var scopes = await catalog.GetRequiredScopesAsync();

        Assert.Equal(["AddedLater", "admin", "reports"], scopes!.Order(StringComparer.Ordinal));
        Assert.Contains("ADMIN", scopes!);
    }

    [Fact]
    public async Task WithoutTheWorkersMetadataNoScopesAreListed() => Assert.Null(await _catalog.GetRequiredScopesAsync());

    [Fact]
    public void OtherTriggersAreNotGated()
    {
        var policy = _catalog.Get(new TestFunctionDefinition("ProcessQueue", typeof(QueueFunctions).FullName + ".Run", triggerType: "queueTrigger"));

        Assert.False(policy.IsHttp);
        Assert.False(policy.IsProtected);
    }

    [Fact]
    public void AnHttpOutputPropertyOfAPocoIsFoundAndTheReturnValueIsNot()
    {
        var poco = _catalog.Get(new TestFunctionDefinition("Poco", "x.Poco.Run", outputs: [("$return", "queue"), ("HttpResponse", "http")]));
        var plain = _catalog.Get(new TestFunctionDefinition("Plain", "x.Plain.Run"));

        Assert.Equal("HttpResponse", poco.HttpOutputBindingName);
        Assert.Null(plain.HttpOutputBindingName);
    }

    [Fact]
    public void APolicyIsWorkedOutOncePerFunction()
    {
        var definition = TestFunctionDefinition.For(typeof(FunctionApp.Functions.SecureEndpointFunction), "Run", "SecureEndpoint");

        Assert.Same(_catalog.Get(definition), _catalog.Get(definition));
    }
}
