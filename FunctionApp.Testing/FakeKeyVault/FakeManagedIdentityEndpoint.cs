using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FunctionApp.Testing.FakeKeyVault;

/// <summary>
/// The managed identity endpoint of App Service / Azure Functions on loopback: what <c>IDENTITY_ENDPOINT</c> and
/// <c>IDENTITY_HEADER</c> point an app at. It checks the secret header and the resource, and issues the fake
/// vault's token, so the app's production credential path (ManagedIdentityCredential) runs unchanged.
/// </summary>
public sealed class FakeManagedIdentityEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _tokensIssued;
    private int _refused;

    private FakeManagedIdentityEndpoint(WebApplication app, string accessToken)
    {
        _app = app;
        AccessToken = accessToken;
    }

    public string IdentityHeader { get; } = Guid.NewGuid().ToString("N");

    public string AccessToken { get; }

    public Uri Endpoint { get; private set; } = null!;

    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    public int Refused => Volatile.Read(ref _refused);

    public static async Task<FakeManagedIdentityEndpoint> StartAsync(string accessToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var endpoint = new FakeManagedIdentityEndpoint(app, accessToken);
        app.MapGet("/msi/token", endpoint.IssueToken);
        await app.StartAsync();
        endpoint.Endpoint = new Uri(app.Urls.Single().TrimEnd('/') + "/msi/token");
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private IResult IssueToken(HttpRequest request)
    {
        if (request.Headers["X-IDENTITY-HEADER"] != IdentityHeader || request.Query["api-version"] != "2019-08-01" || request.Query["resource"] != "https://vault.azure.net")
        {
            Interlocked.Increment(ref _refused);
            return Results.Json(new JsonObject { ["error"] = "invalid_request" }, statusCode: 400);
        }

        Interlocked.Increment(ref _tokensIssued);
        return Results.Json(new JsonObject
        {
            ["access_token"] = AccessToken,
            ["expires_on"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["resource"] = "https://vault.azure.net",
            ["token_type"] = "Bearer",
        });
    }
}
