using FunctionApp.Middleware;
using FunctionApp.Tests.TestDoubles;

namespace FunctionApp.Tests.Middleware;

public sealed class FunctionPolicyCatalogTests
{
    private readonly FunctionPolicyCatalog _catalog = new();

    [Fact]
    public void TheTutorialsRootIsAnonymousAndItsSecureEndpointProtected()
    {
        var root = _catalog.Get(new TestFunctionDefinition("Root", "FunctionApp.Functions.RootFunction.Run"));
        var secure = _catalog.Get(new TestFunctionDefinition("SecureEndpoint", "FunctionApp.Functions.SecureEndpointFunction.Run"));

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

    [Theory]
    [InlineData("No.Such.Type.Run")]
    [InlineData("NoDot")]
    [InlineData("FunctionApp.Tests.Middleware.OverloadedFunctions.Run")]
    public void AFunctionWhoseMethodCannotBeResolvedIsProtected(string entryPoint)
    {
        var policy = _catalog.Get(new TestFunctionDefinition("Mystery", entryPoint));

        Assert.True(policy.IsProtected);
        Assert.Equal("Mystery", policy.RequiredScope);
    }

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
        var definition = new TestFunctionDefinition("SecureEndpoint", "FunctionApp.Functions.SecureEndpointFunction.Run");

        Assert.Same(_catalog.Get(definition), _catalog.Get(definition));
    }
}
