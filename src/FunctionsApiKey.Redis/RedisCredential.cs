using Azure.Core;

namespace FunctionsApiKey.Redis;

/// <summary>The credential for Azure Managed Redis, made from the <c>ApiKeys:Redis</c> section as the Azure SDK clients' are.</summary>
/// <param name="Credential">The credential: managed identity in Azure (<c>ClientId</c> or <c>AZURE_CLIENT_ID</c> for a user-assigned one), developer credentials locally.</param>
internal sealed record RedisCredential(TokenCredential Credential);
