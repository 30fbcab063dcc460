using System.Net;
using System.Security.Claims;
using FunctionApp.Testing;
using FunctionApp.Tests.TestDoubles;
using FunctionsApiKey;

namespace FunctionApp.Tests.Middleware;

/// <summary>
/// The gate in the worker's ASP.NET Core integration, where it reads and answers the forwarded request's HttpContext:
/// each request gets the answer the built-in model gives it, to the status, header and byte.
/// </summary>
public sealed class ApiKeyMiddlewareAspNetCoreTests : IDisposable
{
    private static readonly TestFunctionDefinition DailyReport = new("DailyReport", typeof(ReportFunctions).FullName + ".Daily");

    private readonly MiddlewareHarness _builtIn = new();
    private readonly MiddlewareHarness _aspNetCore = new(aspNetCore: true);
    private readonly string _valid = TestKeys.NewValue();
    private readonly string _scoped = TestKeys.NewValue();

    public ApiKeyMiddlewareAspNetCoreTests()
    {
        foreach (var gate in new[] { _builtIn, _aspNetCore })
        {
            gate.Publish(TestKeys.Create("tutorial", _valid), TestKeys.Create("reports-only", _scoped, scopes: ["reports"]));
        }
    }

    public void Dispose()
    {
        _builtIn.Dispose();
        _aspNetCore.Dispose();
    }

    [Fact]
    public async Task AValidKeyRunsTheFunctionWhichSeesTheKeyThroughItsContextAndAsTheRequestsUser()
    {
        var invocation = await _aspNetCore.InvokeAspNetCoreAsync(DailyReport, ("api-key", _scoped));

        Assert.True(invocation.FunctionRan);
        Assert.Equal(200, invocation.Http.Response.StatusCode);
        Assert.Equal("function ran", invocation.Body);
        Assert.Equal("reports-only", invocation.IdentitySeen?.Name);

        var user = invocation.Http.User;
        Assert.True(user.Identity?.IsAuthenticated);
        Assert.Equal(ApiKeyDefaults.AuthenticationType, user.Identity!.AuthenticationType);
        Assert.Equal("reports-only", user.Identity.Name);
        Assert.Equal(["reports"], user.FindAll(ApiKeyDefaults.ScopeClaimType).Select(c => c.Value).ToArray());
        Assert.DoesNotContain(user.Claims, c => c.Value.Contains(_scoped, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EachRequestGetsAUserOfItsOwn()
    {
        var first = await _aspNetCore.InvokeAspNetCoreAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _valid));
        ((ClaimsIdentity)first.Http.User.Identity!).AddClaim(new Claim(ClaimTypes.Role, "added-by-a-function"));

        var second = await _aspNetCore.InvokeAspNetCoreAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _valid));

        Assert.NotSame(first.Http.User, second.Http.User);
        Assert.False(second.Http.User.IsInRole("added-by-a-function"));
        Assert.Empty(second.Http.User.FindAll(ApiKeyDefaults.ScopeClaimType));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("unknown")]
    [InlineData("malformed")]
    [InlineData("out-of-scope")]
    [InlineData("two-keys")]
    public async Task ADenialIsTheBuiltInModelsAnswerWrittenToTheResponseAndTheFunctionDoesNotRun(string kind)
    {
        (string, string)[] headers = kind switch
        {
            "none" => [],
            "unknown" => [("api-key", TestKeys.NewValue())],
            "malformed" => [("api-key", "caf\u00e9")],
            "out-of-scope" => [("api-key", _scoped)],
            _ => [("api-key", _valid), ("api-key", _valid)],
        };

        var builtIn = await _builtIn.InvokeAsync(MiddlewareHarness.SecureEndpoint, request =>
        {
            // The host joins repeated lines with a comma before the built-in model sees them.
            foreach (var group in headers.GroupBy(h => h.Item1))
            {
                request.WithHeader(group.Key, string.Join(',', group.Select(h => h.Item2)));
            }
        });
        var aspNetCore = await _aspNetCore.InvokeAspNetCoreAsync(MiddlewareHarness.SecureEndpoint, headers);

        Assert.False(builtIn.FunctionRan);
        Assert.False(aspNetCore.FunctionRan);
        Assert.Null(aspNetCore.IdentitySeen);
        Assert.False(aspNetCore.Http.User.Identity?.IsAuthenticated ?? false);
        var expected = builtIn.Response;
        var actual = aspNetCore.Http.Response;
        Assert.Equal((int)expected.StatusCode, actual.StatusCode);
        Assert.Equal(kind == "out-of-scope" ? 403 : 401, actual.StatusCode);
        Assert.Equal(expected.ReadBody(), aspNetCore.Body);
        Assert.Equal(expected.ReadBody().Length, actual.ContentLength);
        foreach (var name in new[] { "Content-Type", "Cache-Control", "WWW-Authenticate", "Retry-After" })
        {
            Assert.Equal(expected.Header(name), actual.Headers.TryGetValue(name, out var value) ? value.ToString() : null);
        }
    }

    [Fact]
    public async Task WithNoKeyRingLoadedTheAnswerIs503WithRetryAfterAsInTheBuiltInModel()
    {
        using var gate = new MiddlewareHarness(new ApiKeyOptions { FirstLoadTimeout = TimeSpan.Zero }, aspNetCore: true);

        var invocation = await gate.InvokeAspNetCoreAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _valid)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(invocation.FunctionRan);
        Assert.Equal((int)HttpStatusCode.ServiceUnavailable, invocation.Http.Response.StatusCode);
        Assert.Equal("5", invocation.Http.Response.Headers.RetryAfter.ToString());
        Assert.Equal("no-store", invocation.Http.Response.Headers.CacheControl.ToString());
        Assert.Contains("\"status\":503", invocation.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEmptyLineBesideTheKeyIsLeftOutAsTheHostLeavesItOutInTheBuiltInModel()
    {
        var invocation = await _aspNetCore.InvokeAspNetCoreAsync(MiddlewareHarness.SecureEndpoint, ("api-key", string.Empty), ("api-key", _valid));

        Assert.True(invocation.FunctionRan);
        Assert.Equal("tutorial", invocation.Http.User.Identity?.Name);
    }

    [Fact]
    public async Task AnOpenFunctionRunsWithoutAKeyAndWithoutAUser()
    {
        var invocation = await _aspNetCore.InvokeAspNetCoreAsync(MiddlewareHarness.Root);

        Assert.True(invocation.FunctionRan);
        Assert.Equal("function ran", invocation.Body);
        Assert.False(invocation.Http.User.Identity?.IsAuthenticated ?? false);
    }

    [Fact]
    public async Task AGateThatRunsBeforeTheIntegrationHandsItTheRequestLetsNothingThrough()
    {
        // What a gate ahead of the proxying middleware sees: an HTTP invocation without the forwarded HttpContext.
        var context = new TestFunctionContext(MiddlewareHarness.SecureEndpoint);
        context.AttachRequest().WithHeader("api-key", _valid);
        var ran = false;

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => _aspNetCore.Middleware.Invoke(context, _ =>
        {
            ran = true;
            return Task.CompletedTask;
        }));

        Assert.False(ran);
        Assert.Contains("call builder.ConfigureFunctionsWebApplication() before builder.UseApiKeyAuthentication()", failure.Message, StringComparison.Ordinal);
    }
}
