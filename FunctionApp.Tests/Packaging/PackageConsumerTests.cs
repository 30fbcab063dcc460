using System.Net;
using FunctionApp.TestHost;
using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;

namespace FunctionApp.Tests.Packaging;

/// <summary>
/// The packages stand alone: a separate function app that takes them from a local feed, with no project reference and
/// none of this repository's build settings, builds and runs under the test host, and its gate answers as documented.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class PackageConsumerTests(PackageFeed feed) : IClassFixture<PackageFeed>
{
    /// <summary>The SDK pieces FunctionsApiKey.KeyVault brings; Azure.Core itself comes with the worker (Microsoft.Azure.Functions.Worker.Core).</summary>
    private static readonly string[] AzureSdkOfTheVaultPackage = ["Azure.Identity", "Azure.Security.KeyVault.Secrets", "Microsoft.Extensions.Azure", "Microsoft.Identity.Client"];

    /// <summary>The problem details the gate answers with, as documented; a function that ran would answer its own text instead.</summary>
    private const string Unauthorized = "Invalid or missing API key";

    private const string Forbidden = "The API key is not allowed to call this function";

    [Fact]
    public async Task AnAppWithOnlyTheCorePackageAnswers200To401And403AndShipsNoAzureSdkOfItsOwn()
    {
        var app = await feed.BuildConsumerAsync("FunctionsApiKey", "Core");

        // The core package adds exactly one package, itself, to what the worker brings: no Azure SDK, no Key Vault.
        Assert.Equal(["FunctionsApiKey"], app.Assets.BroughtOnlyBy("FunctionsApiKey"));
        Assert.Equal(feed.Version, app.Assets.Versions["FunctionsApiKey"]);
        Assert.True(app.Ships("ConsumerApp"));
        Assert.True(app.Ships("FunctionsApiKey"));
        Assert.DoesNotContain(AzureSdkOfTheVaultPackage, app.Ships);
        Assert.False(app.Ships("FunctionsApiKey.KeyVault"));

        var key = TestKeys.NewValue();
        var reportsKey = TestKeys.NewValue();
        await using var host = await StartAsync(app, new()
        {
            ["ApiKeys__Keys__consumer"] = key,
            ["ApiKeys__Keys__consumer-reports"] = reportsKey,
            ["ApiKeys__Keys__consumer-reports__Scopes"] = "reports",
        });
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = host.BaseAddress };

        await AssertAnswerAsync(client, "/api/hello", key: null, HttpStatusCode.OK, "hello");
        using (var denied = await SendAsync(client, "/api/orders", key: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
            Assert.Equal("ApiKey header=\"api-key\"", denied.Headers.WwwAuthenticate.ToString());
            Assert.Contains(Unauthorized, await denied.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await AssertAnswerAsync(client, "/api/orders", key, HttpStatusCode.OK, "orders for consumer");
        await AssertAnswerAsync(client, "/api/reports", reportsKey, HttpStatusCode.OK, "reports for consumer-reports");
        await AssertAnswerAsync(client, "/api/orders", reportsKey, HttpStatusCode.Forbidden, Forbidden);
    }

    [Fact]
    public async Task AnAppWithOnlyTheKeyVaultPackageGetsTheCorePackageWithItAndLoadsItsKeysFromTheVault()
    {
        var app = await feed.BuildConsumerAsync("FunctionsApiKey.KeyVault", "KeyVault");

        // The app names only the vault package; the core package comes with it, at the same version.
        Assert.Equal(feed.Version, app.Assets.Versions["FunctionsApiKey"]);
        Assert.Equal(feed.Version, app.Assets.Versions["FunctionsApiKey.KeyVault"]);
        var brought = app.Assets.BroughtOnlyBy("FunctionsApiKey.KeyVault");
        Assert.All(["FunctionsApiKey", "Azure.Identity", "Azure.Security.KeyVault.Secrets", "Microsoft.Extensions.Azure"], package => Assert.Contains(package, brought));
        Assert.All(["FunctionsApiKey", "FunctionsApiKey.KeyVault", .. AzureSdkOfTheVaultPackage], assembly => Assert.True(app.Ships(assembly), assembly));

        await using var azure = await FakeAzureEnvironment.StartAsync();
        var key = TestKeys.NewValue();
        var reportsKey = TestKeys.NewValue();
        azure.Vault.SetSecret("apikey-consumer", key);
        azure.Vault.SetSecret("apikey-consumer-reports", TestKeys.Sha256Text(reportsKey), tags: new Dictionary<string, string> { ["scopes"] = "reports" });
        var log = new LogCapture();
        await using var host = await StartAsync(app, azure.WorkerEnvironment(refreshInterval: TimeSpan.FromHours(1)), log);
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = host.BaseAddress };

        await AssertAnswerAsync(client, "/api/orders", key: null, HttpStatusCode.Unauthorized, Unauthorized);
        await AssertAnswerAsync(client, "/api/orders", key, HttpStatusCode.OK, "orders for consumer");
        await AssertAnswerAsync(client, "/api/reports", reportsKey, HttpStatusCode.OK, "reports for consumer-reports");
        await AssertAnswerAsync(client, "/api/orders", reportsKey, HttpStatusCode.Forbidden, Forbidden);
        Assert.True(azure.Identity.TokensIssued >= 1);
        await log.WaitForAsync(l => l.Contains("Loaded 2 API keys from keyvault", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
    }

    private static async Task<FunctionsHost> StartAsync(BuiltConsumer app, Dictionary<string, string?> environment, LogCapture? log = null) =>
        await FunctionsHost.StartAsync(new FunctionsHostOptions
        {
            AppDirectory = app.OutputDirectory,
            Port = 0,
            Environment = environment,
            Log = log ?? new LogCapture(),
            StartupTimeout = TimeSpan.FromSeconds(60),
        });

    private static async Task AssertAnswerAsync(HttpClient client, string path, string? key, HttpStatusCode status, string bodyContains)
    {
        using var response = await SendAsync(client, path, key);
        Assert.Equal(status, response.StatusCode);
        Assert.Contains(bodyContains, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string path, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            request.Headers.Add("api-key", key);
        }

        return client.SendAsync(request);
    }
}
