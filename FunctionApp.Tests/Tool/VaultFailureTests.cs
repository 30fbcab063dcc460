using System.Diagnostics;
using FunctionApp.Testing.FakeKeyVault;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// What the tool says, and exits with, when the vault will not do what it asks: the role the command needs (5), a
/// vault that does not exist (6), one that keeps throttling (7), and no credential, or one the vault refuses (8). Each
/// ends in bounded time, and nothing is written. The tests change this class's vault, and put it back.
/// </summary>
public sealed class VaultFailureTests(ToolVaultFixture fixture) : IClassFixture<ToolVaultFixture>
{
    /// <summary>Far more than any of these takes, far less than a hang.</summary>
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task CreateWithOnlySecretsUserIsDeniedNamingSecretsOfficerAndPrintsNoKey()
    {
        fixture.Vault.CallerRole = FakeVaultRole.SecretsUser;
        try
        {
            var run = (await fixture.RunAsync("create", "denied")).AssertExitCode(5);

            Assert.Empty(run.Output);
            Assert.Contains("it needs the role 'Key Vault Secrets Officer' there", run.Error, StringComparison.Ordinal);
            Assert.Contains($"refused: {SecretDataActions.SetSecret}", run.Error, StringComparison.Ordinal);
            Assert.Null(fixture.Vault.StoredSecret("apikey-denied"));
        }
        finally
        {
            fixture.Vault.CallerRole = FakeVaultRole.Administrator;
        }
    }

    [Fact]
    public async Task ListWithNoRoleIsDeniedNamingSecretsUser()
    {
        fixture.Vault.CallerRole = FakeVaultRole.None;
        try
        {
            var run = (await fixture.RunAsync("list")).AssertExitCode(5);

            Assert.Empty(run.Output);
            Assert.Contains("it needs the role 'Key Vault Secrets User' there", run.Error, StringComparison.Ordinal);
            Assert.Contains($"refused: {SecretDataActions.ReadMetadata}", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            fixture.Vault.CallerRole = FakeVaultRole.Administrator;
        }
    }

    [Fact]
    public async Task VaultSettingsTheAppWouldRefuseAreAUsageErrorByTheAppsOwnRulesAndAskTheVaultNothing()
    {
        var requests = fixture.Vault.Requests.Count;

        var http = (await ApiKeysTool.RunAsync(fixture.Environment(), ["list", "--vault", "http://myvault.vault.azure.net/"], timeout: Bounded)).AssertExitCode(2);
        var environment = fixture.Environment();
        environment["ApiKeys__SecretPrefix"] = "apikey_";
        var prefix = (await ApiKeysTool.RunAsync(environment, ["list"], timeout: Bounded)).AssertExitCode(2);

        Assert.Contains("error: ApiKeys:KeyVaultUri must be the vault's https URI with no path, e.g. https://myvault.vault.azure.net/; it is 'http://myvault.vault.azure.net/'.", http.Error, StringComparison.Ordinal);
        Assert.Contains("error: ApiKeys:SecretPrefix must be 1 to 126 letters, digits and '-', as the start of a Key Vault secret name (default 'apikey-'); it is 'apikey_'.", prefix.Error, StringComparison.Ordinal);
        Assert.Empty(http.Output);
        Assert.Empty(prefix.Output);
        Assert.Equal(requests, fixture.Vault.Requests.Count);
    }

    [Fact]
    public async Task AVaultWhoseNameDoesNotResolveIsExit6AtOnce()
    {
        var environment = fixture.Environment();
        environment["HTTPS_PROXY"] = null;

        var run = (await ApiKeysTool.RunAsync(environment, ["list", "--vault", "https://nosuchvault.invalid/"], timeout: Bounded)).AssertExitCode(6);

        Assert.Empty(run.Output);
        Assert.Contains("error: The vault nosuchvault.invalid does not exist: its name does not resolve.", run.Error, StringComparison.Ordinal);
        Assert.True(run.Elapsed < Bounded, $"It took {run.Elapsed}.");
    }

    [Fact]
    public async Task AVaultThatKeepsThrottlingIsExit7AfterTheToolsRetries()
    {
        var requests = fixture.Vault.Requests.Count;
        fixture.Vault.StartOutage(429);
        try
        {
            var run = (await ApiKeysTool.RunAsync(fixture.Environment(), ["list"], timeout: Bounded)).AssertExitCode(7);

            Assert.Empty(run.Output);
            Assert.Contains("is throttling requests (HTTP 429) and kept doing so through the retries", run.Error, StringComparison.Ordinal);

            // The first try and the tool's two retries.
            Assert.Equal(3, fixture.Vault.Requests.Skip(requests).Count(r => r.HadToken && r.Status == 429));
        }
        finally
        {
            fixture.Vault.EndOutage();
        }
    }

    [Fact]
    public async Task AVaultThatAsksForALongWaitIsExit7AtOnceRatherThanAHang()
    {
        var (run, answered) = await ListThrottledOnceAsync(TimeSpan.FromHours(1));

        run.AssertExitCode(7);
        Assert.Contains("is throttling requests (HTTP 429)", run.Error, StringComparison.Ordinal);
        Assert.Equal([429], answered.Select(r => r.Status));
    }

    [Fact]
    public async Task AShortRetryAfterIsWaitedOutAndTheCommandSucceeds()
    {
        var (run, answered) = await ListThrottledOnceAsync(TimeSpan.FromSeconds(1));

        run.AssertExitCode(0);
        Assert.Contains("key(s) in vault myvault.vault.azure.net.", run.Error, StringComparison.Ordinal);
        Assert.Equal([429, 200], answered.Select(r => r.Status));
        var waited = TimeSpan.FromSeconds((double)(answered[1].Received - answered[0].Answered) / Stopwatch.Frequency);
        Assert.True(waited >= TimeSpan.FromSeconds(0.9), $"The retry came {waited} after a Retry-After of 1 s.");
    }

    [Fact]
    public async Task NoCredentialIsExit8AndTheVaultSeesNoToken()
    {
        var requests = fixture.Vault.Requests.Count;
        var environment = fixture.Environment();
        foreach (var variable in (string[])["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_USERNAME", "AZURE_PASSWORD"])
        {
            environment[variable] = null;
        }

        var run = (await ApiKeysTool.RunAsync(environment, ["list", "--credential", "environment"], timeout: Bounded)).AssertExitCode(8);

        Assert.Empty(run.Output);
        Assert.Contains("error: No Azure credential could sign in (EnvironmentCredential authentication unavailable.", run.Error, StringComparison.Ordinal);
        Assert.Contains("az login", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Vault.Requests.Skip(requests), r => r.HadToken);
    }

    [Fact]
    public async Task ATokenTheVaultRefusesIsExit8()
    {
        fixture.Vault.AccessToken = "a-token-the-identity-endpoint-does-not-issue";
        try
        {
            var run = (await ApiKeysTool.RunAsync(fixture.Environment(), ["list"], timeout: Bounded)).AssertExitCode(8);

            Assert.Empty(run.Output);
            Assert.Contains("error: The vault myvault.vault.azure.net did not accept the signed-in identity's token", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            fixture.Vault.AccessToken = fixture.Azure.Identity.AccessToken;
        }
    }

    /// <summary>Runs <c>list</c> with the vault answering its first request 429 with <paramref name="retryAfter"/>; and what the vault answered.</summary>
    private async Task<(ProcessRun Run, List<FakeVaultRequest> Answered)> ListThrottledOnceAsync(TimeSpan retryAfter)
    {
        var requests = fixture.Vault.Requests.Count;
        fixture.Vault.FailNext(1, 429, retryAfter);

        var run = await ApiKeysTool.RunAsync(fixture.Environment(), ["list"], timeout: Bounded);

        return (run, [.. fixture.Vault.Requests.Skip(requests).Where(r => r.HadToken)]);
    }
}
