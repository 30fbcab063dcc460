using System.Collections.Concurrent;
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
/// vault's token for Key Vault and an Entra-shaped JWT for Storage (which Azurite checks), so the app's production
/// credential path (ManagedIdentityCredential) runs unchanged. Any other resource is refused.
/// </summary>
public sealed class FakeManagedIdentityEndpoint : IAsyncDisposable
{
    /// <summary>What ManagedIdentityCredential asks for when a client wants <c>https://vault.azure.net/.default</c>.</summary>
    public const string VaultResource = "https://vault.azure.net";

    /// <summary>What ManagedIdentityCredential asks for when a client wants <c>https://storage.azure.com/.default</c>.</summary>
    public const string StorageResource = "https://storage.azure.com";

    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<IssuedToken> _issued = new();
    private int _refused;

    private FakeManagedIdentityEndpoint(WebApplication app, string accessToken)
    {
        _app = app;
        AccessToken = accessToken;
    }

    public string IdentityHeader { get; } = Guid.NewGuid().ToString("N");

    /// <summary>The opaque token issued for Key Vault: the one the fake vault accepts.</summary>
    public string AccessToken { get; }

    public Uri Endpoint { get; private set; } = null!;

    public int TokensIssued => _issued.Count;

    /// <summary>Every token issued, in order, with the resource and the user-assigned identity (if any) it was asked for.</summary>
    public IReadOnlyList<IssuedToken> Issued => [.. _issued];

    public int Refused => Volatile.Read(ref _refused);

    /// <param name="accessToken">The token to issue for Key Vault, i.e. the fake vault's <see cref="FakeKeyVaultServer.AccessToken"/>.</param>
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

    public int TokensIssuedFor(string resource) => _issued.Count(t => t.Resource == resource);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private IResult IssueToken(HttpRequest request)
    {
        var resource = request.Query["resource"].ToString();
        var clientId = request.Query["client_id"].ToString() is { Length: > 0 } id ? id : null;
        var now = DateTimeOffset.UtcNow;
        var token = resource switch
        {
            VaultResource => AccessToken,
            StorageResource => FakeEntraToken.Create(StorageResource, now, Lifetime, clientId),
            _ => null,
        };
        if (request.Headers["X-IDENTITY-HEADER"] != IdentityHeader || request.Query["api-version"] != "2019-08-01" || token is null)
        {
            Interlocked.Increment(ref _refused);
            return Results.Json(new JsonObject { ["error"] = "invalid_request" }, statusCode: 400);
        }

        _issued.Enqueue(new IssuedToken(resource, clientId));
        return Results.Json(new JsonObject
        {
            ["access_token"] = token,
            ["expires_on"] = now.Add(Lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["resource"] = resource,
            ["token_type"] = "Bearer",
        });
    }
}
