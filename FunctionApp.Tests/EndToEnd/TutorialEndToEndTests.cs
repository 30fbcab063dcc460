using System.Net;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// The tutorial's calls against the real worker over real HTTP, in each HTTP model of the isolated worker: the answers
/// are the same to the byte.
/// </summary>
public abstract class TutorialEndToEndTests(SettingsWorkerFixture worker)
{
    private const string UnauthorizedBody = """{"type":"https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2","title":"Unauthorized","status":401,"detail":"Invalid or missing API key"}""";

    [Fact]
    public async Task TheRootAnswersHelloWorldWithoutAKey()
    {
        using var response = await worker.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("""{"Hello":"World"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheSecureEndpointAnswersAValidKey()
    {
        using var request = SecureEndpoint.Request(worker.Key);
        using var response = await worker.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("""{"message":"You have access!"}""", await response.Content.ReadAsStringAsync());
        await worker.Log.WaitForAsync(l => l.EndsWith("SecureEndpointFunction: Secure endpoint called with API key e2e", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task WhoAmIAnswersTheCallersKeyAsTheReadmeShowsAndNeedsItsScope()
    {
        using var plain = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        plain.Headers.Add("api-key", worker.Key);
        using var scoped = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        scoped.Headers.Add("api-key", worker.ScopedKey);

        using var answered = await worker.Client.SendAsync(plain);
        using var refused = await worker.Client.SendAsync(scoped);

        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal("""{"name":"e2e","owner":null,"scopes":[]}""", await answered.Content.ReadAsStringAsync());
        Assert.Contains("""`{"name":"local-dev","owner":null,"scopes":[]}`""", File.ReadAllText(Path.Combine(Infrastructure.BicepCli.RepositoryRoot, "README.md")), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task TheSecureEndpointRefusesARequestWithoutAKey()
    {
        using var request = SecureEndpoint.Request(key: null);
        using var response = await worker.Client.SendAsync(request);

        await AssertUnauthorizedAsync(response);
    }

    [Fact]
    public async Task TheSecureEndpointRefusesAWrongKey()
    {
        using var request = SecureEndpoint.Request("wrong-key");
        using var response = await worker.Client.SendAsync(request);

        await AssertUnauthorizedAsync(response);
    }

    [Fact]
    public async Task AScopedKeyGetsA403FromAFunctionOutsideItsScopes()
    {
        using var request = SecureEndpoint.Request(worker.ScopedKey);
        using var response = await worker.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.ToString());
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task AKeyScopedToNoFunctionOfTheAppIsReportedWhenItLoads()
    {
        await worker.Log.WaitForAsync(l => l.EndsWith("API key e2e-scoped from settings lists scope reports, which no function of this app requires; check its spelling against the function names and [RequireScope] attributes", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        Assert.DoesNotContain(worker.Log.Lines, l => l.Contains("API key e2e from settings lists scope", StringComparison.Ordinal));
    }

    private static async Task AssertUnauthorizedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("ApiKey header=\"api-key\"", response.Headers.WwwAuthenticate.ToString());
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Equal(UnauthorizedBody, await response.Content.ReadAsStringAsync());
    }
}

/// <summary>FunctionApp: the built-in HTTP model (<c>HttpRequestData</c> over gRPC).</summary>
public sealed class BuiltInTutorialEndToEndTests(SettingsWorkerFixture worker) : TutorialEndToEndTests(worker), IClassFixture<SettingsWorkerFixture>;

/// <summary>FunctionApp.AspNetCore: ASP.NET Core integration (<c>HttpRequest</c>, <c>IActionResult</c>), as Azure's templates write apps.</summary>
public sealed class AspNetCoreTutorialEndToEndTests(AspNetCoreSettingsWorkerFixture worker) : TutorialEndToEndTests(worker), IClassFixture<AspNetCoreSettingsWorkerFixture>;
