using System.Net;
using System.Net.Sockets;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;

namespace FunctionApp.Testing.FakeKeyVault;

/// <summary>
/// Builds a real <see cref="SecretClient"/> for <c>https://myvault.vault.azure.net</c> whose connections go to the
/// fake vault on loopback, with its certificate pinned: the client keeps the real host name (and challenge resource
/// verification) while nothing leaves the machine.
/// </summary>
public static class FakeKeyVaultClient
{
    public static readonly Uri VaultUri = new("https://myvault.vault.azure.net/");

    /// <param name="vault">The fake vault to reach.</param>
    /// <param name="maxRetries">The SDK's retries of a failed request.</param>
    /// <param name="sdkRetryDelays">Keep the SDK's own retry delays (0.8 s exponential, Retry-After honoured) instead of the tests' 10–50 ms.</param>
    /// <param name="port">
    /// Connect to this loopback port instead of the vault's: a <see cref="FaultProxy"/> in front of it, or a port nothing
    /// listens on. The SDK's network timeout is then 1 s, so a hung connection ends a try quickly.
    /// </param>
    public static SecretClient Create(FakeKeyVaultServer vault, int maxRetries = 3, bool sdkRetryDelays = false, int? port = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, port ?? vault.Port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = { RemoteCertificateValidationCallback = TestCertificate.Pinned(vault.Certificate) },
        };

        var options = new SecretClientOptions { Transport = new HttpClientTransport(handler), Retry = { MaxRetries = maxRetries } };
        if (!sdkRetryDelays)
        {
            options.Retry.Delay = TimeSpan.FromMilliseconds(10);
            options.Retry.MaxDelay = TimeSpan.FromMilliseconds(50);
        }

        if (port is not null)
        {
            options.Retry.NetworkTimeout = TimeSpan.FromSeconds(1);
        }

        var token = new AccessToken(vault.AccessToken, DateTimeOffset.UtcNow.AddHours(1));
        return new SecretClient(VaultUri, DelegatedTokenCredential.Create((_, _) => token), options);
    }
}
