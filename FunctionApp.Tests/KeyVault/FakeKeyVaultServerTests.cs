using System.Text;
using System.Text.Json;
using Azure;
using Azure.Security.KeyVault.Secrets;
using FunctionApp.Testing.FakeKeyVault;
using Microsoft.Extensions.Time.Testing;

namespace FunctionApp.Tests.KeyVault;

/// <summary>
/// The fake vault must answer the real SecretClient as Key Vault does (shared/reference/key-vault-secrets.md), or the
/// Key Vault tests prove nothing. These check its behaviour through the client, including the parts the app does
/// not use every day.
/// </summary>
public sealed class FakeKeyVaultServerTests : IAsyncLifetime
{
    // Whole seconds, as the vault keeps times, so what goes in compares equal to what comes back.
    private readonly FakeTimeProvider _vaultClock = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds()));
    private FakeKeyVaultServer _vault = null!;
    private SecretClient _client = null!;

    public async Task InitializeAsync()
    {
        _vault = await FakeKeyVaultServer.StartAsync(_vaultClock);
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

        var item = Assert.Single(await ListAsync());
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

    [Fact]
    public async Task ASetSecretIsStoredWithItsTagsTimesAndContentTypeAndAnsweredWithItsValue()
    {
        var notBefore = _vaultClock.GetUtcNow().AddHours(1);
        var expires = _vaultClock.GetUtcNow().AddDays(90);
        var secret = new KeyVaultSecret("apikey-issued", "issued-value")
        {
            Properties = { ContentType = "text/plain", Enabled = true, NotBefore = notBefore, ExpiresOn = expires },
        };
        secret.Properties.Tags["scopes"] = "reports";
        secret.Properties.Tags["owner"] = "team-a";

        var set = (await _client.SetSecretAsync(secret)).Value;
        var read = (await _client.GetSecretAsync("apikey-issued")).Value;

        Assert.Equal("issued-value", set.Value);
        Assert.NotNull(set.Properties.Version);
        Assert.Equal(_vaultClock.GetUtcNow(), set.Properties.CreatedOn);
        Assert.Equal(("issued-value", set.Properties.Version), (read.Value, read.Properties.Version));
        Assert.Equal(new Dictionary<string, string> { ["scopes"] = "reports", ["owner"] = "team-a" }, read.Properties.Tags);
        Assert.Equal((notBefore, expires), (read.Properties.NotBefore, read.Properties.ExpiresOn));
        Assert.Equal(("text/plain", true), (read.Properties.ContentType, read.Properties.Enabled));
        var put = Assert.Single(_vault.Requests, r => r.IsWriteRequest);
        Assert.Equal(("PUT", "/secrets/apikey-issued", 200), (put.Method, put.Path, put.Status));
    }

    [Fact]
    public async Task ASecondSetMakesANewCurrentVersionAndKeepsTheFirst()
    {
        var first = (await _client.SetSecretAsync("apikey-rotated", "first-value")).Value;
        var second = (await _client.SetSecretAsync("apikey-rotated", "second-value")).Value;

        var versions = new List<string>();
        await foreach (var version in _client.GetPropertiesOfSecretVersionsAsync("apikey-rotated"))
        {
            versions.Add(version.Version);
        }

        Assert.NotEqual(first.Properties.Version, second.Properties.Version);
        Assert.Equal([first.Properties.Version, second.Properties.Version], versions);
        Assert.Equal("second-value", (await _client.GetSecretAsync("apikey-rotated")).Value.Value);
        Assert.Equal("first-value", (await _client.GetSecretAsync("apikey-rotated", first.Properties.Version)).Value.Value);
    }

    [Fact]
    public async Task UpdatingPropertiesDisablesTheSecretChangesItsExpiryAndReplacesItsTags()
    {
        var created = _vaultClock.GetUtcNow();
        var secret = new KeyVaultSecret("apikey-revoked", "revoked-value") { Properties = { ExpiresOn = created.AddDays(90) } };
        secret.Properties.Tags["scopes"] = "reports";
        secret.Properties.Tags["owner"] = "team-a";
        var properties = (await _client.SetSecretAsync(secret)).Value.Properties;
        _vaultClock.Advance(TimeSpan.FromMinutes(5));

        properties.Enabled = false;
        properties.ExpiresOn = created.AddDays(1);
        properties.Tags.Clear();
        properties.Tags["revoked-by"] = "ops";
        var response = await _client.UpdateSecretPropertiesAsync(properties);

        var updated = response.Value;
        Assert.Equal((false, created.AddDays(1)), (updated.Enabled, updated.ExpiresOn));
        Assert.Equal(new Dictionary<string, string> { ["revoked-by"] = "ops" }, updated.Tags);
        Assert.Equal((created, _vaultClock.GetUtcNow()), (updated.CreatedOn, updated.UpdatedOn));
        using (var body = JsonDocument.Parse(response.GetRawResponse().Content.ToString()))
        {
            Assert.False(body.RootElement.TryGetProperty("value", out _));
        }

        var patch = Assert.Single(_vault.Requests, r => r.IsWriteRequest && r.Method == "PATCH");
        Assert.Equal(($"/secrets/apikey-revoked/{properties.Version}", 200), (patch.Path, patch.Status));
        var disabled = await Assert.ThrowsAsync<RequestFailedException>(() => _client.GetSecretAsync("apikey-revoked"));
        Assert.Equal((403, "Forbidden"), (disabled.Status, disabled.ErrorCode));
        Assert.Contains("SecretDisabled", disabled.GetRawResponse()!.Content.ToString(), StringComparison.Ordinal);
        var listed = Assert.Single(await ListAsync());
        Assert.Equal((false, created.AddDays(1), "ops"), (listed.Enabled, listed.ExpiresOn, Assert.Single(listed.Tags).Value));
    }

    [Fact]
    public async Task UpdatingAnUnknownSecretOrVersionIsNotFound()
    {
        var known = _vault.SetSecret("apikey-known", "known-value");

        var unknownName = await Assert.ThrowsAsync<RequestFailedException>(() => _client.UpdateSecretPropertiesAsync(
            new SecretProperties(new Uri(FakeKeyVaultClient.VaultUri, $"/secrets/apikey-missing/{known.Version}")) { Enabled = false }));
        var unknownVersion = await Assert.ThrowsAsync<RequestFailedException>(() => _client.UpdateSecretPropertiesAsync(
            new SecretProperties(new Uri(FakeKeyVaultClient.VaultUri, $"/secrets/apikey-known/{Guid.NewGuid():N}")) { Enabled = false }));

        Assert.Equal((404, "SecretNotFound"), (unknownName.Status, unknownName.ErrorCode));
        Assert.Equal((404, "SecretNotFound"), (unknownVersion.Status, unknownVersion.ErrorCode));
        Assert.True((await _client.GetSecretAsync("apikey-known")).Value.Properties.Enabled);
    }

    [Fact]
    public async Task NamesAndTagsTheServiceRefusesAreBadParameters()
    {
        var tooManyTags = new KeyVaultSecret("apikey-tagged", "tagged-value");
        for (var i = 0; i <= FakeKeyVaultServer.MaxTags; i++)
        {
            tooManyTags.Properties.Tags[$"tag{i}"] = "x";
        }

        var underscore = await Assert.ThrowsAsync<RequestFailedException>(() => _client.SetSecretAsync("apikey_underscore", "value"));
        var tooLong = await Assert.ThrowsAsync<RequestFailedException>(() => _client.SetSecretAsync(new string('k', 128), "value"));
        var tagged = await Assert.ThrowsAsync<RequestFailedException>(() => _client.SetSecretAsync(tooManyTags));

        Assert.Equal((400, "BadParameter"), (underscore.Status, underscore.ErrorCode));
        Assert.Contains("The request URI contains an invalid name: apikey_underscore", underscore.Message, StringComparison.Ordinal);
        Assert.Equal((400, "BadParameter"), (tooLong.Status, tooLong.ErrorCode));
        Assert.Equal((400, "BadParameter"), (tagged.Status, tagged.ErrorCode));
        Assert.Empty(await ListAsync());
        Assert.NotNull((await _client.SetSecretAsync(new string('k', 127), "value")).Value.Properties.Version);
    }

    [Fact]
    public async Task ASetWithoutAValueIsABadParameter()
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = (_, token) => ConnectLoopbackAsync(_vault.Port, token),
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == _vault.Certificate.Thumbprint },
        });
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(FakeKeyVaultClient.VaultUri, "/secrets/apikey-valueless?api-version=2026-04-01"))
        {
            Content = new StringContent("""{"contentType":"text/plain"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", _vault.AccessToken);

        using var response = await http.SendAsync(request);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("\"BadParameter\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task ADeletedSecretIsGoneButItsNameConflictsUntilPurged()
    {
        _vault.SetSecret("apikey-deleted", "deleted-value");
        _vault.DeleteSecret("apikey-deleted");

        var read = await Assert.ThrowsAsync<RequestFailedException>(() => _client.GetSecretAsync("apikey-deleted"));
        var set = await Assert.ThrowsAsync<RequestFailedException>(() => _client.SetSecretAsync("apikey-deleted", "new-value"));

        Assert.Equal((404, "SecretNotFound"), (read.Status, read.ErrorCode));
        Assert.Empty(await ListAsync());
        Assert.Equal((409, "Conflict"), (set.Status, set.ErrorCode));
        Assert.Contains("Secret apikey-deleted is currently in a deleted but recoverable state", set.Message, StringComparison.Ordinal);
        Assert.Contains("ObjectIsDeletedButRecoverable", set.GetRawResponse()!.Content.ToString(), StringComparison.Ordinal);
        _vault.PurgeDeletedSecret("apikey-deleted");
        Assert.Equal("new-value", (await _client.SetSecretAsync("apikey-deleted", "new-value")).Value.Value);
    }

    [Fact]
    public async Task TheSecretsUserRoleReadsAndListsButCannotSetOrUpdate()
    {
        var stored = _vault.SetSecret("apikey-readonly", "readonly-value");
        var properties = (await _client.GetSecretAsync("apikey-readonly")).Value.Properties;
        _vault.CallerRole = FakeVaultRole.SecretsUser;

        var set = await Assert.ThrowsAsync<RequestFailedException>(() => _client.SetSecretAsync("apikey-readonly", "overwritten"));
        properties.Enabled = false;
        var update = await Assert.ThrowsAsync<RequestFailedException>(() => _client.UpdateSecretPropertiesAsync(properties));

        AssertRefusedByRbac(set, SecretDataActions.SetSecret);
        AssertRefusedByRbac(update, SecretDataActions.Update);
        var current = (await _client.GetSecretAsync("apikey-readonly")).Value;
        Assert.Equal(("readonly-value", stored.Version, true), (current.Value, current.Properties.Version, current.Properties.Enabled));
        Assert.Equal("apikey-readonly", Assert.Single(await ListAsync()).Name);
    }

    [Fact]
    public async Task TheSecretsOfficerRoleMaySetAndUpdate()
    {
        _vault.CallerRole = FakeVaultRole.SecretsOfficer;

        var properties = (await _client.SetSecretAsync("apikey-officer", "officer-value")).Value.Properties;
        properties.Enabled = false;
        var updated = (await _client.UpdateSecretPropertiesAsync(properties)).Value;

        Assert.False(updated.Enabled);
        Assert.Equal([200, 200], _vault.Requests.Where(r => r.IsWriteRequest).Select(r => r.Status));
    }

    [Fact]
    public async Task WithoutARoleEvenListingIsRefused()
    {
        _vault.SetSecret("apikey-hidden", "hidden-value");
        _vault.CallerRole = FakeVaultRole.None;

        var list = await Assert.ThrowsAsync<RequestFailedException>(ListAsync);
        var get = await Assert.ThrowsAsync<RequestFailedException>(() => _client.GetSecretAsync("apikey-hidden"));

        AssertRefusedByRbac(list, SecretDataActions.ReadMetadata);
        AssertRefusedByRbac(get, SecretDataActions.GetSecret);
        Assert.DoesNotContain("hidden-value", get.GetRawResponse()!.Content.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InjectedFaultsAnswerWritesToo()
    {
        _vault.FailNext(1, 503);

        var failed = await Assert.ThrowsAsync<RequestFailedException>(() => _client.SetSecretAsync("apikey-unlucky", "unlucky-value"));

        Assert.Equal(503, failed.Status);
        Assert.Empty(await ListAsync());
        Assert.Equal(503, Assert.Single(_vault.Requests, r => r.IsWriteRequest).Status);
    }

    private static void AssertRefusedByRbac(RequestFailedException refused, string action)
    {
        Assert.Equal((403, "Forbidden"), (refused.Status, refused.ErrorCode));
        Assert.Contains($"Action: '{action}'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("ForbiddenByRbac", refused.GetRawResponse()!.Content.ToString(), StringComparison.Ordinal);
    }

    private async Task<List<SecretProperties>> ListAsync()
    {
        var listed = new List<SecretProperties>();
        await foreach (var properties in _client.GetPropertiesOfSecretsAsync())
        {
            listed.Add(properties);
        }

        return listed;
    }

    private static async ValueTask<Stream> ConnectLoopbackAsync(int port, CancellationToken cancellationToken)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, port, cancellationToken);
        return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
    }
}
