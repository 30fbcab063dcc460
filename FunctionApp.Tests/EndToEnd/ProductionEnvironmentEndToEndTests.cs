using System.Net;
using FunctionApp.TestHost;
using FunctionApp.Testing;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// The test host says <c>AZURE_FUNCTIONS_ENVIRONMENT=Development</c> unless told otherwise, like func start; in Azure it
/// is Production. There, keys from application settings still work, and the worker warns that they belong in Key Vault.
/// </summary>
public sealed class ProductionEnvironmentEndToEndTests
{
    private const string Warning =
        "[Warning] FunctionsApiKey.Settings: API keys come from application settings in the Production environment; " +
        "set ApiKeys:KeyVaultUri to keep them in Azure Key Vault";

    [Fact]
    public async Task KeysFromSettingsInProductionAreWarnedAboutOnceAndStillGateRequests()
    {
        var key = TestKeys.NewValue();
        var log = new LogCapture();
        var environment = new Dictionary<string, string?>
        {
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production",
            ["ApiKeys__Keys__local-dev"] = null,
            ["ApiKeys__Keys__production"] = key,
        };
        await using var host = await FunctionsHost.StartAsync(new FunctionsHostOptions { Port = 0, Environment = environment, Log = log, StartupTimeout = TimeSpan.FromSeconds(60) });
        using var client = new HttpClient { BaseAddress = host.BaseAddress };

        using (var request = SecureEndpoint.Request(key))
        using (var allowed = await client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using (var noKey = SecureEndpoint.Request(key: null))
        using (var refused = await client.SendAsync(noKey))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("ApiKey header=\"api-key\"", refused.Headers.WwwAuthenticate.ToString());
        }

        await log.WaitForAsync(l => l == Warning, TimeSpan.FromSeconds(5));
        Assert.Single(log.Lines, l => l == Warning);
    }
}
