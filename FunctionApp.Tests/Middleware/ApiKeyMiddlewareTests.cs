using System.Net;
using FunctionApp.Testing;
using FunctionApp.Tests.TestDoubles;
using FunctionsApiKey;
using Microsoft.Extensions.Logging;

namespace FunctionApp.Tests.Middleware;

public sealed class ApiKeyMiddlewareTests : IDisposable
{
    private const string ProblemJson = "application/problem+json";
    private const string UnauthorizedBody = """{"type":"https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2","title":"Unauthorized","status":401,"detail":"Invalid or missing API key"}""";

    private readonly MiddlewareHarness _gate = new();
    private readonly string _valid = TestKeys.NewValue();
    private readonly string _scoped = TestKeys.NewValue();
    private readonly string _expiring = TestKeys.NewValue();
    private readonly string _future = TestKeys.NewValue();
    private readonly string _revoked = TestKeys.NewValue();

    public ApiKeyMiddlewareTests()
    {
        var now = _gate.Clock.GetUtcNow();
        _gate.Publish(
            TestKeys.Create("tutorial", _valid),
            TestKeys.Create("reports-only", _scoped, scopes: ["reports"]),
            TestKeys.Create("expiring", _expiring, expiresOn: now.AddHours(1)),
            TestKeys.Create("future", _future, notBefore: now.AddHours(1)),
            TestKeys.Create("revoked", _revoked, revoked: true));
    }

    public void Dispose() => _gate.Dispose();

    [Fact]
    public async Task ARootRequestWithoutAKeyRunsTheFunction()
    {
        var invocation = await _gate.InvokeAsync(MiddlewareHarness.Root);

        Assert.True(invocation.FunctionRan);
        Assert.Equal(HttpStatusCode.OK, invocation.Response.StatusCode);
        Assert.Null(invocation.IdentitySeen);
    }

    [Fact]
    public async Task AValidKeyRunsTheFunctionWhichSeesTheKeysNameAndScopes()
    {
        var invocation = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _valid));

        Assert.True(invocation.FunctionRan);
        Assert.Equal(HttpStatusCode.OK, invocation.Response.StatusCode);
        Assert.Equal("tutorial", invocation.IdentitySeen?.Name);
        Assert.Empty(invocation.IdentitySeen!.Scopes);
    }

    [Theory]
    [InlineData("API-KEY")]
    [InlineData("Api-Key")]
    public async Task TheHeaderNameIsMatchedInAnyLetterCase(string headerName)
    {
        var invocation = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, (headerName, _valid));

        Assert.True(invocation.FunctionRan);
    }

    [Fact]
    public async Task NoKeyGetsA401ProblemWithAChallengeNamingTheHeader()
    {
        var invocation = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint);

        AssertUnauthorized(invocation);
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("expired")]
    [InlineData("not-yet-valid")]
    [InlineData("revoked")]
    [InlineData("wrong-case")]
    public async Task EveryKindOfBadKeyGetsTheSame401(string kind)
    {
        _gate.Clock.Advance(kind == "expired" ? TimeSpan.FromHours(2) : TimeSpan.Zero);
        var value = kind switch
        {
            "unknown" => TestKeys.NewValue(),
            "expired" => _expiring,
            "not-yet-valid" => _future,
            "revoked" => _revoked,
            _ => SwapCase(_valid),
        };

        var invocation = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", value));

        AssertUnauthorized(invocation);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a,b")]
    [InlineData("bad\u0001value")]
    [InlineData("line\nbreak")]
    [InlineData("caf\u00e9")]
    public async Task AMalformedValueGetsTheSame401AndNeverAnException(string value)
    {
        var invocation = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", value));

        AssertUnauthorized(invocation);
    }

    [Fact]
    public async Task AnIssuedKeyWithOneCharacterChangedIsRefusedAsMalformedWithoutALookup()
    {
        var issued = ApiKeyFormat.Generate();
        _gate.Publish(TestKeys.Create("issued", issued));
        var changed = issued[..10] + (issued[10] == 'a' ? 'b' : 'a') + issued[11..];

        Assert.True((await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", issued))).FunctionRan);
        AssertUnauthorized(await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", changed)));
        Assert.Equal(
            ["allowed", "malformed"],
            _gate.Decisions.GetMeasurementSnapshot().Select(m => (string)m.Tags["apikey.outcome"]!).ToArray());
    }

    [Fact]
    public async Task AConfiguredKeyPrefixIsTheOneWhoseChecksumIsChecked()
    {
        using var gate = new MiddlewareHarness(new ApiKeyOptions { KeyPrefix = "acme" });
        var issued = ApiKeyFormat.Generate("acme");
        var legacy = ApiKeyFormat.Generate();
        gate.Publish(TestKeys.Create("issued", issued), TestKeys.Create("legacy", legacy));

        Assert.True((await gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", issued))).FunctionRan);
        Assert.True((await gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", legacy))).FunctionRan);
        AssertUnauthorized(await gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", issued[..^1] + "!")));
    }

    [Fact]
    public async Task WithoutTheTriggersHeadersBindingDataTheRequestDataDecidesAlike()
    {
        var allowed = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, request => request.WithHeader("api-key", _valid), headersBindingData: false);
        var denied = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, request => request.WithHeader("api-key", _scoped), headersBindingData: false);
        var missing = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, _ => { }, headersBindingData: false);

        Assert.True(allowed.FunctionRan);
        Assert.Equal("tutorial", allowed.IdentitySeen?.Name);
        Assert.False(denied.FunctionRan);
        Assert.Equal(HttpStatusCode.Forbidden, denied.Response.StatusCode);
        AssertUnauthorized(missing);
    }

    [Fact]
    public async Task AValidKeyFollowedByAnotherValueIsRefused()
    {
        var invocation = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, request =>
            request.Headers.TryAddWithoutValidation("api-key", new[] { _valid, _valid }));

        AssertUnauthorized(invocation);
    }

    [Fact]
    public async Task AValueLongerThanTheMaximumIsRefused()
    {
        var invocation = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _valid + new string('x', 600)));

        AssertUnauthorized(invocation);
    }

    [Theory]
    [InlineData("api-key")]
    [InlineData("code")]
    public async Task AKeyInTheQueryStringIsNotAccepted(string parameter)
    {
        var invocation = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, _ => { }, url: $"http://localhost/secure-endpoint?{parameter}={_valid}");

        AssertUnauthorized(invocation);
    }

    [Fact]
    public async Task AKeyWithoutTheFunctionsScopeGetsA403WithoutAChallenge()
    {
        var invocation = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _scoped));

        Assert.False(invocation.FunctionRan);
        var response = invocation.Response;
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(ProblemJson, response.Header("Content-Type"));
        Assert.Equal("no-store", response.Header("Cache-Control"));
        Assert.Null(response.Header("WWW-Authenticate"));
        Assert.Equal("""{"type":"https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4","title":"Forbidden","status":403,"detail":"The API key is not allowed to call this function"}""", response.ReadBody());
    }

    [Fact]
    public async Task AScopedKeyCallsAFunctionThatRequiresItsScope()
    {
        var report = new TestFunctionDefinition("DailyReport", typeof(ReportFunctions).FullName + ".Daily");

        var invocation = await _gate.InvokeAsync(report, ("api-key", _scoped));

        Assert.True(invocation.FunctionRan);
        Assert.Equal(["reports"], invocation.IdentitySeen!.Scopes.ToArray());
    }

    [Fact]
    public async Task AFunctionAddedWithoutAnyAttributeIsProtected()
    {
        var addedLater = new TestFunctionDefinition("AddedLater", typeof(AddedLaterFunction).FullName + ".Run");

        AssertUnauthorized(await _gate.InvokeAsync(addedLater));
        Assert.True((await _gate.InvokeAsync(addedLater, ("api-key", _valid))).FunctionRan);
    }

    [Fact]
    public async Task OtherTriggersRunWithoutAKey()
    {
        var queue = new TestFunctionDefinition("ProcessQueue", typeof(QueueFunctions).FullName + ".Run", triggerType: "queueTrigger");

        var invocation = await _gate.InvokeAsync(queue, _ => { }, http: false);

        Assert.True(invocation.FunctionRan);
        Assert.Null(invocation.IdentitySeen);
    }

    [Fact]
    public async Task ADeniedFunctionWithSeveralOutputsGetsTheProblemOnItsHttpOutput()
    {
        var poco = new TestFunctionDefinition("Poco", typeof(AddedLaterFunction).FullName + ".Run", outputs: [("$return", "queue"), ("HttpResponse", "http")]);

        var invocation = await _gate.InvokeAsync(poco);

        Assert.False(invocation.FunctionRan);
        Assert.Null(invocation.Context.Bindings.InvocationResult);
        var response = Assert.IsType<TestHttpResponseData>(invocation.Context.Bindings.OutputBindingData["HttpResponse"]);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AConfiguredHeaderNameReplacesApiKey()
    {
        using var gate = new MiddlewareHarness(new ApiKeyOptions { HeaderName = "x-api-key" });
        gate.Publish(TestKeys.Create("tutorial", _valid));

        Assert.True((await gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("X-Api-Key", _valid))).FunctionRan);
        var refused = await gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _valid));
        Assert.Equal("ApiKey header=\"x-api-key\"", refused.Response.Header("WWW-Authenticate"));
    }

    [Fact]
    public async Task WithNoKeyRingEverLoadedAWellFormedKeyGets503AfterTheWait()
    {
        using var gate = new MiddlewareHarness(new ApiKeyOptions { FirstLoadTimeout = TimeSpan.FromSeconds(10) });

        var pending = gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _valid));
        Assert.False(pending.IsCompleted);
        gate.Clock.Advance(TimeSpan.FromSeconds(10));
        var invocation = await pending.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(invocation.FunctionRan);
        var response = invocation.Response;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("5", response.Header("Retry-After"));
        Assert.Equal("no-store", response.Header("Cache-Control"));
        Assert.Equal(ProblemJson, response.Header("Content-Type"));
        Assert.Contains("\"status\":503", response.ReadBody(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeyRingOlderThanItsLimitFailsClosedWith503()
    {
        using var gate = new MiddlewareHarness(new ApiKeyOptions { MaxKeyRingAge = TimeSpan.FromHours(1) });
        gate.Publish(TestKeys.Create("tutorial", _valid));

        gate.Clock.Advance(TimeSpan.FromHours(1));
        Assert.True((await gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _valid))).FunctionRan);

        gate.Clock.Advance(TimeSpan.FromSeconds(1));
        var stale = await gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _valid));
        Assert.False(stale.FunctionRan);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stale.Response.StatusCode);

        // A fresh load (as after the vault recovers) lifts it.
        gate.Publish(TestKeys.Create("tutorial", _valid));
        Assert.True((await gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _valid))).FunctionRan);
    }

    [Fact]
    public async Task WithNoKeyRingAMissingKeyIsStillA401()
    {
        using var gate = new MiddlewareHarness(new ApiKeyOptions { FirstLoadTimeout = TimeSpan.Zero });

        AssertUnauthorized(await gate.InvokeAsync(MiddlewareHarness.SecureEndpoint));
    }

    [Fact]
    public async Task ARequestThatArrivesBeforeTheFirstLoadIsAnsweredWhenItCompletes()
    {
        using var gate = new MiddlewareHarness();

        var pending = gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _valid));
        Assert.False(pending.IsCompleted);
        gate.Publish(TestKeys.Create("tutorial", _valid));

        Assert.True((await pending.WaitAsync(TimeSpan.FromSeconds(10))).FunctionRan);
    }

    [Fact]
    public async Task LogsNameTheKeyAndFunctionNeverTheValue()
    {
        await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _valid));
        await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _revoked));
        await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", TestKeys.NewValue()));
        await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint);

        Assert.Equal(
        [
            "API key tutorial allowed to call SecureEndpoint",
            "Request to SecureEndpoint denied: missing",
            "Request to SecureEndpoint denied: unknown",
            "Request to SecureEndpoint with API key revoked denied: revoked; this is logged once a minute per key, and 0 more denials of the key came since the last line",
        ], (await _gate.LogsOnceAsync(1)).Select(r => r.Message).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task DenialsOfAKnownKeyAreLoggedAtInformationOnceAMinuteAndCountedEveryTime()
    {
        for (var i = 0; i < 3; i++)
        {
            await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _revoked));
        }

        await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _scoped));
        _gate.Clock.Advance(TimeSpan.FromSeconds(59));
        await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _revoked));
        _gate.Clock.Advance(TimeSpan.FromSeconds(1));
        await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _revoked));

        // The Information lines are written off the request path, so only their set is fixed, not their place among the Debug lines.
        var logs = (await _gate.LogsOnceAsync(3)).Select(r => (r.Level, r.Message)).ToList();
        Assert.Equal(
        [
            (LogLevel.Debug, "Request to SecureEndpoint with API key revoked denied: revoked"),
            (LogLevel.Debug, "Request to SecureEndpoint with API key revoked denied: revoked"),
            (LogLevel.Debug, "Request to SecureEndpoint with API key revoked denied: revoked"),
        ], logs.Where(l => l.Level == LogLevel.Debug));
        Assert.Equal(
        [
            "Request to SecureEndpoint with API key reports-only denied: scope_denied; this is logged once a minute per key, and 0 more denials of the key came since the last line",
            "Request to SecureEndpoint with API key revoked denied: revoked; this is logged once a minute per key, and 0 more denials of the key came since the last line",
            "Request to SecureEndpoint with API key revoked denied: revoked; this is logged once a minute per key, and 3 more denials of the key came since the last line",
        ], logs.Where(l => l.Level == LogLevel.Information).Select(l => l.Message).Order(StringComparer.Ordinal));
        Assert.Equal(5, _gate.Decisions.GetMeasurementSnapshot().Count(m => (string?)m.Tags["apikey.name"] == "revoked"));
    }

    [Fact]
    public async Task TheLineAboutADeniedKnownKeyIsWrittenOffTheRequestPathInTheRequestsScope()
    {
        // A log pipeline that stalls on that line (after the collector, which may already hold it): the denial must not wait for it.
        using var stalled = new StallingLogProvider(eventId: 3);
        using var gate = new MiddlewareHarness(logProvider: stalled);
        var revoked = TestKeys.NewValue();
        gate.Publish(TestKeys.Create("revoked", revoked, revoked: true));

        Task<Invocation> pending;
        using (gate.LoggerFactory.CreateLogger("Worker").BeginScope("invocation 42"))
        {
            pending = Task.Run(() => gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", revoked)));
        }

        var invocation = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.Unauthorized, invocation.Response.StatusCode);

        stalled.Release();
        var line = Assert.Single(await gate.LogsOnceAsync(1), r => r.Id.Name == "RequestDeniedForKey");
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.StartsWith("Request to SecureEndpoint with API key revoked denied: revoked;", line.Message, StringComparison.Ordinal);
        Assert.Contains("invocation 42", line.Scopes);
    }

    [Theory]
    [InlineData("SECUREENDPOINT")]
    [InlineData("secureendpoint")]
    public async Task AScopeMatchesTheFunctionsScopeInAnyLetterCase(string scope)
    {
        var key = TestKeys.NewValue();
        _gate.Publish(TestKeys.Create("cased", key, scopes: [scope]));

        Assert.True((await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", key))).FunctionRan);
        Assert.Equal(HttpStatusCode.Forbidden, (await _gate.InvokeAsync(new TestFunctionDefinition("DailyReport", typeof(ReportFunctions).FullName + ".Daily"), ("api-key", key))).Response.StatusCode);
    }

    [Fact]
    public async Task AHeadRequestIsGatedLikeAGet()
    {
        var head = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, request => request.WithHeader("api-key", TestKeys.NewValue()), method: "HEAD");
        var allowed = await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, request => request.WithHeader("api-key", _valid), method: "HEAD");

        AssertUnauthorized(head);
        Assert.True(allowed.FunctionRan);
    }

    [Fact]
    public async Task DecisionsAreCountedByOutcomeFunctionAndKnownKeyName()
    {
        await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _valid));
        await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", _scoped));
        await _gate.InvokeAsync(MiddlewareHarness.SecureEndpoint, ("api-key", TestKeys.NewValue()));
        await _gate.InvokeAsync(MiddlewareHarness.Root);

        var measurements = _gate.Decisions.GetMeasurementSnapshot();
        Assert.Equal(3, measurements.Count);
        Assert.Equal(("allowed", "SecureEndpoint", "tutorial"), Tags(measurements[0]));
        Assert.Equal(("scope_denied", "SecureEndpoint", "reports-only"), Tags(measurements[1]));
        Assert.Equal(("unknown", "SecureEndpoint", null), Tags(measurements[2]));
        Assert.All(measurements, m => Assert.Equal(1, m.Value));

        static (string?, string?, string?) Tags(Microsoft.Extensions.Diagnostics.Metrics.Testing.CollectedMeasurement<long> m) =>
            (m.Tags["apikey.outcome"] as string, m.Tags["faas.name"] as string, m.Tags.TryGetValue("apikey.name", out var name) ? name as string : null);
    }

    private static string SwapCase(string value) =>
        string.Concat(value.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)));

    private static void AssertUnauthorized(Invocation invocation)
    {
        Assert.False(invocation.FunctionRan);
        var response = invocation.Response;
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(ProblemJson, response.Header("Content-Type"));
        Assert.Equal("no-store", response.Header("Cache-Control"));
        Assert.Equal("ApiKey header=\"api-key\"", response.Header("WWW-Authenticate"));
        Assert.Equal(UnauthorizedBody, response.ReadBody());
    }
}
