using Azure.Core;

namespace FunctionApp.Tests.FakeKeyVault;

/// <summary>For in-process tests: a credential that hands out the fake vault's token (the end-to-end tests use managed identity).</summary>
internal sealed class StaticTokenCredential(string token) : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new(token, DateTimeOffset.UtcNow.AddHours(1));

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
