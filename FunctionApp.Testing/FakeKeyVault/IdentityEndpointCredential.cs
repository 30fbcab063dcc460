using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Core;

namespace FunctionApp.Testing.FakeKeyVault;

/// <summary>
/// Asks an App Service managed identity endpoint for tokens the way ManagedIdentityCredential does when
/// <c>IDENTITY_ENDPOINT</c> and <c>IDENTITY_HEADER</c> are set: <c>GET {endpoint}?api-version=2019-08-01&amp;resource=…</c>
/// (the scope without <c>/.default</c>) with the <c>X-IDENTITY-HEADER</c> header, reading <c>access_token</c> and
/// <c>expires_on</c>. It is for clients inside the test process: the real credential reads those two variables from
/// the process environment, which test classes running in parallel share. Child processes (the worker, the Azure
/// probe) are given the variables and run the real credential.
/// </summary>
public sealed class IdentityEndpointCredential(FakeManagedIdentityEndpoint endpoint) : TokenCredential
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        var resource = requestContext.Scopes.Single();
        resource = resource.EndsWith("/.default", StringComparison.Ordinal) ? resource[..^"/.default".Length] : resource;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{endpoint.Endpoint}?api-version=2019-08-01&resource={Uri.EscapeDataString(resource)}");
        request.Headers.Add("X-IDENTITY-HEADER", endpoint.IdentityHeader);
        using var response = await Http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!;
        var expiresOn = long.Parse((string)body["expires_on"]!, CultureInfo.InvariantCulture);
        return new AccessToken((string)body["access_token"]!, DateTimeOffset.FromUnixTimeSeconds(expiresOn));
    }
}
