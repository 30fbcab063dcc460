using System.Net;
using System.Reflection;
using FunctionApp.Testing;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// Keys with policies in settings, answered by the real worker under the test host over real HTTP in each HTTP model:
/// 429 with Retry-After and the RateLimit fields over a rate limit or a quota, 403 from outside a key's networks, and
/// the key's owner and scopes as the sample's <c>GET /whoami</c> reads them.
/// </summary>
public abstract class PolicyEndToEndTests(PolicyWorkerFixture worker)
{
    private const string RateLimitedBody = """{"type":"https://www.rfc-editor.org/rfc/rfc6585#section-4","title":"Too Many Requests","status":429,"detail":"The API key is over its rate limit; retry after the time in Retry-After"}""";
    protected const string AddressDeniedBody = """{"type":"https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4","title":"Forbidden","status":403,"detail":"The API key may not be used from this address"}""";

    protected PolicyWorkerFixture Worker => worker;

    /// <summary>Calls the protected function with <paramref name="key"/> and an X-Forwarded-For the client wrote.</summary>
    protected async Task<HttpResponseMessage> CallFromAsync(string key, string forwardedFor)
    {
        using var request = SecureEndpoint.Request(key);
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await worker.Client.SendAsync(request);
    }

    [Fact]
    public async Task AKeyOverItsRateLimitGets429WithRetryAfterAndRateLimitFields()
    {
        Assert.Equal(200, await SecureEndpoint.CallAsync(worker.Client, worker.Limited));
        Assert.Equal(200, await SecureEndpoint.CallAsync(worker.Client, worker.Limited));
        using var request = SecureEndpoint.Request(worker.Limited);
        using var response = await worker.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.ToString());
        Assert.True(response.Headers.CacheControl?.NoStore);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.InRange(retryAfter?.TotalSeconds ?? 0, 1, 60);
        Assert.Equal("\"rate\";q=2;w=60", Assert.Single(response.Headers.GetValues("RateLimit-Policy")));
        Assert.Equal($"\"rate\";r=0;t={retryAfter!.Value.TotalSeconds}", Assert.Single(response.Headers.GetValues("RateLimit")));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(RateLimitedBody, body);
        Assert.DoesNotContain(worker.Limited, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeyOverItsQuotaGets429UntilTheUtcDayEnds()
    {
        Assert.Equal(200, await SecureEndpoint.CallAsync(worker.Client, worker.Counted));
        using var request = SecureEndpoint.Request(worker.Counted);
        using var response = await worker.Client.SendAsync(request);
        var midnight = DateTimeOffset.UtcNow.Date.AddDays(1);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.InRange((midnight - DateTimeOffset.UtcNow).TotalSeconds - (response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0), -5, 5);
        Assert.Equal("\"quota\";q=1;w=86400", Assert.Single(response.Headers.GetValues("RateLimit-Policy")));
        Assert.Contains("used up its quota for this period", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeyFromOutsideItsNetworksGets403()
    {
        using var response = await CallFromAsync(worker.Fenced, "198.51.100.1:50312");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(AddressDeniedBody, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheKeysOwnerAndScopesReachTheFunctionAndNeverTheKey()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        request.Headers.Add("api-key", worker.Introduced);
        using var response = await worker.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"name":"introduced","owner":"globex","scopes":["WhoAmI","reports"]}""", body);
        Assert.DoesNotContain(worker.Introduced, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeyWithoutAnOwnerShowsNone()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        request.Headers.Add("api-key", worker.Unowned);
        using var response = await worker.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"name":"unowned","owner":null,"scopes":[]}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AKeyOfAnOwnerDrawsFromTheOwnersLimit()
    {
        Assert.Equal(200, await SecureEndpoint.CallAsync(worker.Client, worker.OwnedA));
        Assert.Equal(200, await SecureEndpoint.CallAsync(worker.Client, worker.OwnedB));

        Assert.Equal(429, await SecureEndpoint.CallAsync(worker.Client, worker.OwnedB));
        await worker.Log.WaitForAsync(l => l.Contains("rate limits and", StringComparison.Ordinal) && l.Contains("are counted on each instance", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
    }
}

/// <summary>The built-in model: the host forwards X-Forwarded-For as it received it, whose last entry Azure's front end appends.</summary>
public sealed class BuiltInPolicyEndToEndTests(PolicyWorkerFixture worker) : PolicyEndToEndTests(worker), IClassFixture<PolicyWorkerFixture>
{
    [Fact]
    public async Task AKeyFromInsideItsNetworksAsTheFrontEndWroteItIsAllowed()
    {
        using var response = await CallFromAsync(Worker.Fenced, "203.0.113.7:50312");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AKeyWithNetworksAndNoForwardedAddressGets403()
    {
        Assert.Equal(403, await SecureEndpoint.CallAsync(Worker.Client, Worker.Fenced));
    }
}

/// <summary>
/// ASP.NET Core integration: the host sets X-Forwarded-For to the address it received the request from (loopback here),
/// which the worker makes the connection's remote address; what the client sent in that header is not believed.
/// </summary>
public sealed class AspNetCorePolicyEndToEndTests(AspNetCorePolicyWorkerFixture worker) : PolicyEndToEndTests(worker), IClassFixture<AspNetCorePolicyWorkerFixture>
{
    [Fact]
    public async Task AKeyFromInsideItsNetworksIsAllowed()
    {
        Assert.Equal(200, await SecureEndpoint.CallAsync(Worker.Client, Worker.Local));
    }

    [Fact]
    public async Task AnAddressTheClientWroteItselfIsNotBelieved()
    {
        using var response = await CallFromAsync(Worker.Fenced, "203.0.113.7");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}

/// <summary>A FunctionApp worker whose settings give keys each policy.</summary>
public class PolicyWorkerFixture : WorkerFixture
{
    public string Limited { get; } = TestKeys.NewValue();

    public string Counted { get; } = TestKeys.NewValue();

    public string Fenced { get; } = TestKeys.NewValue();

    public string Local { get; } = TestKeys.NewValue();

    public string OwnedA { get; } = TestKeys.NewValue();

    public string OwnedB { get; } = TestKeys.NewValue();

    /// <summary>A key with an owner and scopes that include <c>GET /whoami</c>, and no limit the other tests draw on.</summary>
    public string Introduced { get; } = TestKeys.NewValue();

    /// <summary>A key with no owner and no scopes (every function).</summary>
    public string Unowned { get; } = TestKeys.NewValue();

    protected override Dictionary<string, string?> Environment() => new()
    {
        ["ApiKeys__Keys__local-dev"] = null,
        ["ApiKeys__Keys__limited"] = Limited,
        ["ApiKeys__Keys__limited__RateLimit"] = "2/min",
        ["ApiKeys__Keys__counted"] = Counted,
        ["ApiKeys__Keys__counted__Quota"] = "1/day",
        ["ApiKeys__Keys__fenced"] = Fenced,
        ["ApiKeys__Keys__fenced__Ips"] = "203.0.113.0/24, 2001:db8::/32",
        ["ApiKeys__Keys__local"] = Local,
        ["ApiKeys__Keys__local__Ips"] = "127.0.0.0/8, ::1",
        ["ApiKeys__Keys__owned-a"] = OwnedA,
        ["ApiKeys__Keys__owned-a__Owner"] = "acme",
        ["ApiKeys__Keys__owned-a__RateLimit"] = "2/min",
        ["ApiKeys__Keys__owned-b"] = OwnedB,
        ["ApiKeys__Keys__owned-b__Owner"] = "ACME",
        ["ApiKeys__Keys__introduced"] = Introduced,
        ["ApiKeys__Keys__introduced__Owner"] = "globex",
        ["ApiKeys__Keys__introduced__Scopes"] = "WhoAmI reports",
        ["ApiKeys__Keys__unowned"] = Unowned,
        ["AzureWebJobsDisableHomepage"] = "true",
    };
}

/// <summary>The same, for FunctionApp.AspNetCore.</summary>
public sealed class AspNetCorePolicyWorkerFixture : PolicyWorkerFixture
{
    protected override string? AppDirectory { get; } =
        typeof(AspNetCorePolicyWorkerFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "AspNetCoreAppDirectory").Value;
}
