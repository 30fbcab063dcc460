using System.Net;
using System.Security.Claims;
using FunctionApp.Testing;
using FunctionApp.Tests.TestDoubles;
using FunctionsApiKey;

namespace FunctionApp.Tests.Middleware;

/// <summary>
/// The gate's answers when a key's policy refuses a request, in both HTTP models: 429 with Retry-After and the
/// RateLimit fields, 403 from outside the key's networks, the same problem+json shape as every answer, no key material;
/// and the owner the function sees.
/// </summary>
public sealed class ApiKeyMiddlewarePolicyTests : IDisposable
{
    private const string RateLimitedBody = """{"type":"https://www.rfc-editor.org/rfc/rfc6585#section-4","title":"Too Many Requests","status":429,"detail":"The API key is over its rate limit; retry after the time in Retry-After"}""";
    private const string AddressDeniedBody = """{"type":"https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4","title":"Forbidden","status":403,"detail":"The API key may not be used from this address"}""";

    private readonly MiddlewareHarness _gate = new();
    private readonly string _value = TestKeys.NewValue();

    [Fact]
    public async Task OverItsRateLimitAKeyGets429WithRetryAfterAndTheRateLimitFields()
    {
        _gate.PublishWithPolicies(Key(("RateLimit", "1/min"), ("Owner", "acme")));

        var first = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _value));
        _gate.Clock.Advance(TimeSpan.FromSeconds(15));
        var second = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _value));

        Assert.True(first.FunctionRan);
        Assert.False(second.FunctionRan);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.Response.StatusCode);
        Assert.Equal("application/problem+json", second.Response.Header("Content-Type"));
        Assert.Equal("no-store", second.Response.Header("Cache-Control"));
        Assert.Equal("45", second.Response.Header("Retry-After"));
        Assert.Equal("\"rate\";q=1;w=60", second.Response.Header("RateLimit-Policy"));
        Assert.Equal("\"rate\";r=0;t=45", second.Response.Header("RateLimit"));
        var body = second.Response.ReadBody();
        Assert.Equal(RateLimitedBody, body);
        Assert.DoesNotContain(_value, body, StringComparison.Ordinal);
        Assert.Null(second.Response.Header("WWW-Authenticate"));
    }

    [Fact]
    public async Task OverItsRateLimitAKeyGetsTheSameAnswerInAspNetCoreIntegration()
    {
        using var gate = new MiddlewareHarness(aspNetCore: true);
        gate.PublishWithPolicies(Key(("RateLimit", "2/s burst 2")));

        await gate.InvokeAspNetCoreAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _value));
        await gate.InvokeAspNetCoreAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _value));
        var refused = await gate.InvokeAspNetCoreAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _value));

        Assert.False(refused.FunctionRan);
        Assert.Equal(429, refused.Http.Response.StatusCode);
        Assert.Equal("1", refused.Http.Response.Headers.RetryAfter.ToString());
        Assert.Equal("\"rate\";q=2;w=1", refused.Http.Response.Headers["RateLimit-Policy"].ToString());
        Assert.Equal("\"rate\";r=0;t=1", refused.Http.Response.Headers["RateLimit"].ToString());
        Assert.Equal(RateLimitedBody, refused.Body);
    }

    [Fact]
    public async Task OverItsQuotaAKeyGets429UntilTheUtcPeriodEnds()
    {
        _gate.PublishWithPolicies(Key(("Quota", "1/day")));

        await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _value));
        var refused = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _value));

        // The harness's clock is 2026-11-27T12:00Z: twelve hours to the next UTC midnight.
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Response.StatusCode);
        Assert.Equal("43200", refused.Response.Header("Retry-After"));
        Assert.Equal("\"quota\";q=1;w=86400", refused.Response.Header("RateLimit-Policy"));
        Assert.Equal("\"quota\";r=0;t=43200", refused.Response.Header("RateLimit"));
        Assert.Contains("used up its quota for this period", refused.Response.ReadBody(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "203.0.113.7:50312", true)]
    [InlineData(0, "[2001:db8::5]:443", true)]
    [InlineData(0, "198.51.100.1", false)]
    [InlineData(0, "203.0.113.7, 198.51.100.1", false)]
    [InlineData(1, "203.0.113.7, 198.51.100.1", true)]
    [InlineData(1, "198.51.100.1", false)]
    [InlineData(0, "garbage", false)]
    [InlineData(0, null, false)]
    public async Task AKeyWithNetworksIsAllowedOnlyFromThemAsTheTrustedHopsSay(int hops, string? forwardedFor, bool allowed)
    {
        using var gate = new MiddlewareHarness(new ApiKeyOptions { TrustedProxyHops = hops });
        gate.PublishWithPolicies(Key(("Ips", "203.0.113.0/24, 2001:db8::/32")));
        (string, string)[] headers = forwardedFor is null ? [("api-key", _value)] : [("api-key", _value), ("X-Forwarded-For", forwardedFor)];

        var invocation = await gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, headers);

        Assert.Equal(allowed, invocation.FunctionRan);
        if (!allowed)
        {
            Assert.Equal(HttpStatusCode.Forbidden, invocation.Response.StatusCode);
            Assert.Equal(AddressDeniedBody, invocation.Response.ReadBody());
        }
    }

    [Fact]
    public async Task WithoutTheHeadersBindingDataTheRequestDataGivesTheAddress()
    {
        _gate.PublishWithPolicies(Key(("Ips", "203.0.113.0/24")));

        var allowed = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, r => r.WithHeader("api-key", _value).WithHeader("X-Forwarded-For", "203.0.113.9:1"), headersBindingData: false);
        var refused = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, r => r.WithHeader("api-key", _value).WithHeader("X-Forwarded-For", "192.0.2.1:1"), headersBindingData: false);

        Assert.True(allowed.FunctionRan);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Response.StatusCode);
    }

    [Fact]
    public async Task TheFunctionSeesTheKeysOwner()
    {
        using var aspNetCore = new MiddlewareHarness(aspNetCore: true);
        _gate.PublishWithPolicies(Key(("Owner", "acme")));
        aspNetCore.PublishWithPolicies(Key(("Owner", "acme")));

        var builtIn = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _value));
        var proxied = await aspNetCore.InvokeAspNetCoreAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _value));

        Assert.Equal("acme", builtIn.IdentitySeen?.Owner);
        Assert.Equal("acme", proxied.IdentitySeen?.Owner);
        Assert.Equal("acme", proxied.Http.User.FindFirstValue(ApiKeyDefaults.OwnerClaimType));
    }

    [Fact]
    public async Task AKeyWithoutAnOwnerHasNone()
    {
        _gate.PublishWithPolicies(Key());

        var invocation = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _value));

        Assert.True(invocation.FunctionRan);
        Assert.Null(invocation.IdentitySeen?.Owner);
    }

    public void Dispose() => _gate.Dispose();

    private ApiKey Key(params (string Property, string Text)[] properties) => PolicyKeys.Create("partner", _value, properties);
}
