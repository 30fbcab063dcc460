using Azure.Security.KeyVault.Secrets;
using FunctionsApiKey.KeyVault;
using Microsoft.Extensions.Azure;

namespace FunctionApp.Testing.FakeKeyVault;

/// <summary>Hands the vault source its named client, as Microsoft.Extensions.Azure would, and nothing else.</summary>
public sealed class SingleClientFactory(SecretClient client) : IAzureClientFactory<SecretClient>
{
    public SecretClient CreateClient(string name) =>
        name == KeyVaultApiKeyDefaults.ClientName ? client : throw new InvalidOperationException($"No client named '{name}'.");
}
