using Azure;
using Azure.Security.KeyVault.Secrets;
using FunctionApp.Testing.FakeKeyVault;

namespace FunctionApp.Tests.KeyVault;

/// <summary>
/// The fake vault must answer the real SecretClient as Key Vault does (shared/reference/key-vault-secrets.md), or the
/// Key Vault tests prove nothing. These check its behaviour through the client, including the parts the app does
/// not use every day.
/// </summary>
public sealed class FakeKeyVaultServerTests : IAsyncLifetime
{
    private FakeKeyVaultServer _vault = null!;
    private SecretClient _client = null!;

    public async Task InitializeAsync()
    {
        _vault = await FakeKeyVaultServer.StartAsync();
        _client = FakeKeyVaultClient.Create(_vault, maxRetries: 0);
    }

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task ARequestWithoutTheTokenIsChallengedAndNotAnswered()
    {
        _vault.SetSecret("apikey-a", "value-a");
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = (_, token) => ConnectLoopbackAsync(_vault.Port, token),
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == _vault.Certificate.Thumbprint },
        });

        using var response = await http.GetAsync(new Uri(FakeKeyVaultClient.VaultUri, "/secrets/apikey-a?api-version=2026-04-01"));

        Assert.Equal(401, (int)response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.Contains($"authorization=\"https://login.microsoftonline.com/{FakeKeyVaultServer.Tenant}\"", challenge, StringComparison.Ordinal);
        Assert.Contains("resource=\"https://vault.azure.net\"", challenge, StringComparison.Ordinal);
        Assert.DoesNotContain("value-a", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task VersionsAreListedAndEachCanBeRead()
    {
        var first = _vault.SetSecret("apikey-rotating", "first-value");
        var second = _vault.SetSecret("apikey-rotating", "second-value");

        var versions = new List<SecretProperties>();
        await foreach (var version in _client.GetPropertiesOfSecretVersionsAsync("apikey-rotating"))
        {
            versions.Add(version);
        }

        Assert.Equal([first.Version, second.Version], versions.Select(v => v.Version));
        Assert.Equal("first-value", (await _client.GetSecretAsync("apikey-rotating", first.Version)).Value.Value);
        var current = (await _client.GetSecretAsync("apikey-rotating")).Value;
        Assert.Equal("second-value", current.Value);
        Assert.Equal(second.Version, current.Properties.Version);
        Assert.Equal(FakeKeyVaultClient.VaultUri, current.Properties.VaultUri);
    }

    [Fact]
    public async Task ListingsCarryAttributesAndTagsButNoValuesOrVersions()
    {
        var expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(3).ToUnixTimeSeconds());
        _vault.SetSecret("apikey-listed", "listed-value", tags: new Dictionary<string, string> { ["scopes"] = "reports" }, expiresOn: expires);

        var listed = new List<SecretProperties>();
        await foreach (var properties in _client.GetPropertiesOfSecretsAsync())
        {
            listed.Add(properties);
        }

        var item = Assert.Single(listed);
        Assert.Null(item.Version);
        Assert.Equal(expires, item.ExpiresOn);
        Assert.Equal("reports", item.Tags["scopes"]);
        Assert.True(item.Enabled);
        Assert.NotNull(item.UpdatedOn);
    }

    [Fact]
    public async Task DisabledAndMissingSecretsFailAsKeyVaultFailsThem()
    {
        _vault.SetSecret("apikey-disabled", "disabled-value", enabled: false);

        var disabled = await Assert.ThrowsAsync<RequestFailedException>(() => _client.GetSecretAsync("apikey-disabled"));
        var missing = await Assert.ThrowsAsync<RequestFailedException>(() => _client.GetSecretAsync("apikey-missing"));

        Assert.Equal((403, "Forbidden"), (disabled.Status, disabled.ErrorCode));
        Assert.Contains("SecretDisabled", disabled.GetRawResponse()!.Content.ToString(), StringComparison.Ordinal);
        Assert.Equal((404, "SecretNotFound"), (missing.Status, missing.ErrorCode));
    }

    [Fact]
    public async Task ThrottlingCarriesRetryAfter()
    {
        _vault.FailNext(1, 429, retryAfter: TimeSpan.FromSeconds(7));

        var throttled = await Assert.ThrowsAsync<RequestFailedException>(() => _client.GetSecretAsync("apikey-any"));

        Assert.Equal(429, throttled.Status);
        Assert.True(throttled.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.Equal("7", retryAfter);
    }

    private static async ValueTask<Stream> ConnectLoopbackAsync(int port, CancellationToken cancellationToken)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, port, cancellationToken);
        return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
    }
}
