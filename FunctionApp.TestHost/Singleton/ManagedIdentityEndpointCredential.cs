using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Core;

namespace FunctionApp.TestHost.Singleton;

/// <summary>
/// Tokens from the App Service managed identity endpoint, asked for as Azure.Identity's <c>ManagedIdentityCredential</c>
/// asks (<c>GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&amp;resource=…[&amp;client_id=…]</c> with
/// <c>X-IDENTITY-HEADER</c>), but with the endpoint and header from the host's settings: that credential reads them
/// from the process environment, which hosts in one test process share.
/// </summary>
internal sealed class ManagedIdentityEndpointCredential(Uri endpoint, string header, string? clientId) : TokenCredential
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        const string DefaultSuffix = "/.default";
        var resource = requestContext.Scopes.Single();
        resource = resource.EndsWith(DefaultSuffix, StringComparison.Ordinal) ? resource[..^DefaultSuffix.Length] : resource;
        var query = $"?api-version=2019-08-01&resource={Uri.EscapeDataString(resource)}" + (clientId is null ? string.Empty : $"&client_id={Uri.EscapeDataString(clientId)}");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(endpoint + query));
        request.Headers.Add("X-IDENTITY-HEADER", header);
        using var response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The managed identity endpoint answered with no token.");
        var expiresOn = long.Parse((string)body["expires_on"]!, CultureInfo.InvariantCulture);
        return new AccessToken((string)body["access_token"]!, DateTimeOffset.FromUnixTimeSeconds(expiresOn));
    }
}
