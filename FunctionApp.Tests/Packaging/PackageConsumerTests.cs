using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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

    private const string UnauthorizedBody = """{"type":"https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2","title":"Unauthorized","status":401,"detail":"Invalid or missing API key"}""";

    [Theory]
    [InlineData("BuiltIn")]
    [InlineData("AspNetCore")]
    public async Task InEachHttpModelTheGateAnswersNoKeyAWrongKeyTheRightKeyAndAnOutOfScopeKeyAsDocumented(string model)
    {
        await using var app = await StartModelAsync(model);

        await AssertAnswerAsync(app.Client, "/api/hello", key: null, HttpStatusCode.OK, "hello");
        foreach (var key in new[] { null, TestKeys.NewValue(), "not a key at all" })
        {
            using var denied = await SendAsync(app.Client, "/api/orders", key);
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
            Assert.Equal("ApiKey header=\"api-key\"", denied.Headers.WwwAuthenticate.ToString());
            Assert.True(denied.Headers.CacheControl?.NoStore);
            Assert.Equal("application/problem+json", denied.Content.Headers.ContentType?.ToString());
            Assert.Equal(UnauthorizedBody, await denied.Content.ReadAsStringAsync());
        }

        await AssertAnswerAsync(app.Client, "/api/orders", app.Key, HttpStatusCode.OK, model == "AspNetCore" ? "orders for consumer (user consumer):" : "orders for consumer:");
        await AssertAnswerAsync(app.Client, "/api/reports", app.ReportsKey, HttpStatusCode.OK, "reports for consumer-reports");
        await AssertAnswerAsync(app.Client, "/api/orders", app.ReportsKey, HttpStatusCode.Forbidden, Forbidden);

        // A gate out of place in ASP.NET Core integration shows as the worker's coordinator timing out (5 s, 15 s).
        Assert.DoesNotContain(app.Log.Lines, l => l.Contains("Timed out waiting", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("BuiltIn")]
    [InlineData("AspNetCore")]
    public async Task InEachHttpModelAProtectedFunctionAnswers503WhileNoKeyRingHasLoadedAndAnOpenOneRuns(string model)
    {
        await using var app = await StartModelAsync(model, vaultDown: true);
        await app.Log.WaitForAsync(l => l.Contains("no key ring has loaded yet, so protected functions answer 503", StringComparison.Ordinal), TimeSpan.FromSeconds(20));

        using var unavailable = await SendAsync(app.Client, "/api/orders", app.Key);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), unavailable.Headers.RetryAfter?.Delta);
        Assert.Contains("API keys are not available yet; retry later", await unavailable.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertAnswerAsync(app.Client, "/api/hello", key: null, HttpStatusCode.OK, "hello");
    }

    [Theory]
    [InlineData("BuiltIn")]
    [InlineData("AspNetCore")]
    public async Task InEachHttpModelAPostedJsonBodyOverAHundredKilobytesReachesTheFunctionIntact(string model)
    {
        await using var app = await StartModelAsync(model);
        var json = JsonSerializer.SerializeToUtf8Bytes(Enumerable.Range(0, 4_000).Select(i => new { id = i, item = $"order line {i} ✓", note = new string('x', i % 17) }));
        Assert.True(json.Length >= 100_000, $"The body is {json.Length} bytes.");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = new ByteArrayContent(json), Headers = { { "api-key", app.Key } } };
        request.Content.Headers.ContentType = new("application/json");
        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith($"{json.Length} bytes, sha256 {Convert.ToHexStringLower(SHA256.HashData(json))}", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BuiltIn")]
    [InlineData("AspNetCore")]
    public async Task InEachHttpModelHeadIsGatedLikeGetAndAnsweredWithoutABody(string model)
    {
        await using var app = await StartModelAsync(model);

        using (var denied = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/orders")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
            Assert.Equal("ApiKey header=\"api-key\"", denied.Headers.WwwAuthenticate.ToString());
            Assert.Empty(await denied.Content.ReadAsByteArrayAsync());
        }

        using var allowed = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/orders") { Headers = { { "api-key", app.Key } } });
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Empty(await allowed.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("BuiltIn")]
    [InlineData("AspNetCore")]
    public async Task InEachHttpModelAChunkedBodyIsGatedAndReachesTheFunctionAsThatModelCarriesIt(string model)
    {
        await using var app = await StartModelAsync(model);
        var body = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"chunk\":true}", 2_000)));

        using (var denied = await app.Client.SendAsync(Chunked(body, key: null)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        }

        using var allowed = await app.Client.SendAsync(Chunked(body, app.Key));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);

        // The host reads a built-in model's body only with a Content-Length, and forwards the stream as it is to ASP.NET Core.
        var received = model == "AspNetCore" ? body : [];
        Assert.EndsWith($"{received.Length} bytes, sha256 {Convert.ToHexStringLower(SHA256.HashData(received))}", await allowed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        static HttpRequestMessage Chunked(byte[] body, string? key)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = new StreamContent(new MemoryStream(body)) };
            request.Headers.TransferEncodingChunked = true;
            if (key is not null)
            {
                request.Headers.Add("api-key", key);
            }

            return request;
        }
    }

    [Fact]
    public async Task AnAppWithOnlyTheCorePackageAnswers200To401And403AndShipsNoAzureSdkOfItsOwn()
    {
        var app = await feed.BuildConsumerAsync("FunctionsApiKey", "BuiltIn");

        // The core package adds itself and the platform's CRC-32 for its key format to what the worker brings, and
        // nothing else: no Azure SDK, no Key Vault.
        Assert.Equal(["FunctionsApiKey", "System.IO.Hashing"], app.Assets.BroughtOnlyBy("FunctionsApiKey").Order(StringComparer.Ordinal));
        Assert.Equal(feed.Version, app.Assets.Versions["FunctionsApiKey"]);
        Assert.True(app.Ships("ConsumerApp"));
        Assert.True(app.Ships("FunctionsApiKey"));
        Assert.True(app.Ships("System.IO.Hashing"));
        Assert.DoesNotContain(AzureSdkOfTheVaultPackage, app.Ships);

        // It runs on the oldest worker the package declares, below the one this repository's apps take.
        var floors = feed.LowestDependencyVersions();
        Assert.Equal("2.51.0", floors["Microsoft.Azure.Functions.Worker"]);
        Assert.Equal("3.1.0", floors["Microsoft.Azure.Functions.Worker.Extensions.Http"]);
        Assert.Equal(floors["Microsoft.Azure.Functions.Worker"], app.Assets.Versions["Microsoft.Azure.Functions.Worker"]);
        Assert.Equal(floors["Microsoft.Azure.Functions.Worker.Extensions.Http"], app.Assets.Versions["Microsoft.Azure.Functions.Worker.Extensions.Http"]);
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

        await AssertAnswerAsync(client, "/api/orders", key, HttpStatusCode.OK, "orders for consumer:");
        await AssertAnswerAsync(client, "/api/reports", reportsKey, HttpStatusCode.OK, "reports for consumer-reports");
        await AssertAnswerAsync(client, "/api/orders", reportsKey, HttpStatusCode.Forbidden, Forbidden);
    }

    [Fact]
    public async Task AnAppWithOnlyTheKeyVaultPackageGetsTheCorePackageWithItAndLoadsItsKeysFromTheVault()
    {
        var app = await feed.BuildConsumerAsync("FunctionsApiKey.KeyVault", "BuiltIn", "KeyVault");

        // The app names only the vault package; the core package comes with it, at the same version.
        Assert.Equal(feed.Version, app.Assets.Versions["FunctionsApiKey"]);
        Assert.Equal(feed.Version, app.Assets.Versions["FunctionsApiKey.KeyVault"]);
        var brought = app.Assets.BroughtOnlyBy("FunctionsApiKey.KeyVault");
        Assert.All(["FunctionsApiKey", "Azure.Identity", "Azure.Security.KeyVault.Secrets", "Microsoft.Extensions.Azure"], package => Assert.Contains(package, brought));
        Assert.All(["FunctionsApiKey", "FunctionsApiKey.KeyVault", .. AzureSdkOfTheVaultPackage], assembly => Assert.True(app.Ships(assembly), assembly));

        await using var azure = await FakeAzureEnvironment.StartAsync();
        var key = TestKeys.NewValue();
        var reportsKey = TestKeys.NewValue();
        azure.Vault.SetSecret("apikey-consumer", key, tags: KeyTags.EveryFunction);
        azure.Vault.SetSecret("apikey-consumer-reports", TestKeys.Sha256Text(reportsKey), tags: new Dictionary<string, string> { ["scopes"] = "reports" });
        var log = new LogCapture();
        await using var host = await StartAsync(app, azure.WorkerEnvironment(refreshInterval: TimeSpan.FromHours(1)), log);
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = host.BaseAddress };

        await AssertAnswerAsync(client, "/api/orders", key: null, HttpStatusCode.Unauthorized, Unauthorized);
        await AssertAnswerAsync(client, "/api/orders", key, HttpStatusCode.OK, "orders for consumer:");
        await AssertAnswerAsync(client, "/api/reports", reportsKey, HttpStatusCode.OK, "reports for consumer-reports");
        await AssertAnswerAsync(client, "/api/orders", reportsKey, HttpStatusCode.Forbidden, Forbidden);
        Assert.True(azure.Identity.TokensIssued >= 1);
        await log.WaitForAsync(l => l.Contains("Loaded 2 API keys from keyvault", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task AnAppWithAStoreOfItsOwnAddedWithAddSourceServesItsKeysWithNoSettingNamingTheSource()
    {
        var app = await feed.BuildConsumerAsync("FunctionsApiKey", "BuiltIn", "OwnSource");
        var key = TestKeys.NewValue();
        var reportsKey = TestKeys.NewValue();
        var log = new LogCapture();

        // No ApiKeys__KeySource: the source the app added is the one in use, and keys in settings are not.
        var settingsKey = TestKeys.NewValue();
        await using var host = await StartAsync(app, new()
        {
            ["OwnStore__Keys"] = $"consumer={TestKeys.Sha256Text(key)};consumer-reports={TestKeys.Sha256Text(reportsKey)}=reports",
            ["ApiKeys__Keys__settings-key"] = settingsKey,
        }, log);
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = host.BaseAddress };

        await AssertAnswerAsync(client, "/api/orders", key, HttpStatusCode.OK, "orders for consumer:");
        await AssertAnswerAsync(client, "/api/reports", reportsKey, HttpStatusCode.OK, "reports for consumer-reports");
        await AssertAnswerAsync(client, "/api/orders", reportsKey, HttpStatusCode.Forbidden, Forbidden);
        await AssertAnswerAsync(client, "/api/orders", settingsKey, HttpStatusCode.Unauthorized, Unauthorized);
        await log.WaitForAsync(l => l.Contains("Loaded 2 API keys from ownstore", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// The consumer app of one HTTP model, built with the vault package, running with keys from settings; or, with
    /// <paramref name="vaultDown"/>, from a vault that answers 503 to everything, so no key ring ever loads.
    /// </summary>
    private async Task<RunningConsumer> StartModelAsync(string model, bool vaultDown = false)
    {
        var app = model == "AspNetCore"
            ? await feed.BuildConsumerAsync("FunctionsApiKey.KeyVault", "AspNetCore")
            : await feed.BuildConsumerAsync("FunctionsApiKey.KeyVault", "BuiltIn", "KeyVault");
        var key = TestKeys.NewValue();
        var reportsKey = TestKeys.NewValue();
        var log = new LogCapture();
        FakeAzureEnvironment? azure = null;
        Dictionary<string, string?> environment;
        if (vaultDown)
        {
            azure = await FakeAzureEnvironment.StartAsync();
            azure.Vault.StartOutage();
            environment = azure.WorkerEnvironment(refreshInterval: TimeSpan.FromHours(1));
        }
        else
        {
            environment = new()
            {
                ["ApiKeys__Keys__consumer"] = key,
                ["ApiKeys__Keys__consumer-reports"] = reportsKey,
                ["ApiKeys__Keys__consumer-reports__Scopes"] = "reports",
            };
        }

        try
        {
            var host = await StartAsync(app, environment, log);
            return new RunningConsumer(host, azure, log, key, reportsKey);
        }
        catch
        {
            if (azure is not null)
            {
                await azure.DisposeAsync();
            }

            throw;
        }
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

    /// <summary>A consumer app under the test host, with a client and the keys it accepts; disposing stops everything it started.</summary>
    private sealed class RunningConsumer(FunctionsHost host, FakeAzureEnvironment? azure, LogCapture log, string key, string reportsKey) : IAsyncDisposable
    {
        public HttpClient Client { get; } = new(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        public LogCapture Log => log;

        public string Key => key;

        public string ReportsKey => reportsKey;

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await host.DisposeAsync();
            if (azure is not null)
            {
                await azure.DisposeAsync();
            }
        }
    }
}
