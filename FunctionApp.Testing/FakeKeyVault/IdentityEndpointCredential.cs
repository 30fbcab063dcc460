using Azure.Core;
using FunctionApp.TestHost.Singleton;

namespace FunctionApp.Testing.FakeKeyVault;

/// <summary>
/// Asks an App Service managed identity endpoint for tokens the way ManagedIdentityCredential does when
/// <c>IDENTITY_ENDPOINT</c> and <c>IDENTITY_HEADER</c> are set, through the test host's own client of that protocol
/// (<see cref="ManagedIdentityEndpointCredential"/>). It is for clients inside the test process: the real credential
/// reads those two variables from the process environment, which test classes running in parallel share. Child
/// processes (the worker, the Azure probe) are given the variables and run the real credential.
/// </summary>
public sealed class IdentityEndpointCredential(FakeManagedIdentityEndpoint endpoint) : TokenCredential
{
    private readonly ManagedIdentityEndpointCredential _credential = new(endpoint.Endpoint, endpoint.IdentityHeader, clientId: null);

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        _credential.GetToken(requestContext, cancellationToken);

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        _credential.GetTokenAsync(requestContext, cancellationToken);
}
