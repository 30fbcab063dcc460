using FunctionApp.TestHost;
using FunctionApp.Testing;
using FunctionApp.Tests.EndToEnd;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// The local development flow end to end: <c>dotnet apikeys create --local</c> on the app's local.settings.json, then
/// the unchanged worker under the test host, started from that folder as <c>func start</c> would be.
/// </summary>
public sealed class LocalKeyEndToEndTests
{
    [Fact]
    public async Task AKeyCreatedInLocalSettingsIsAcceptedByTheAppAndATypoOfItIsNot()
    {
        var app = TestApps.Copy();
        try
        {
            var settings = Path.Combine(app, "local.settings.json");
            var run = (await ApiKeysTool.RunAsync(ApiKeysTool.CleanEnvironment(), ["create", "partner-l", "--local", "--settings", settings, "--scopes", "SecureEndpoint"])).AssertExitCode(0);
            var key = Assert.Single(run.OutputLines);

            var log = new LogCapture();

            // A denial without a key to name is a Debug line.
            var environment = new Dictionary<string, string?> { ["Logging__LogLevel__FunctionsApiKey"] = "Debug" };
            await using var host = await FunctionsHost.StartAsync(new FunctionsHostOptions { AppDirectory = app, Port = 0, Environment = environment, Log = log, StartupTimeout = TimeSpan.FromSeconds(60) });
            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

            Assert.Equal(200, await SecureEndpoint.CallAsync(client, key));
            await log.WaitForAsync(l => l.Contains("Loaded 2 API keys from settings", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
            Assert.Equal(401, await SecureEndpoint.CallAsync(client, ToolKeys.WithOneCharacterChanged(key)));
            await log.WaitForAsync(l => l.Contains("Request to SecureEndpoint denied: malformed", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

            // The sample's own key, from the same rewritten file, still works.
            Assert.Equal(200, await SecureEndpoint.CallAsync(client, "local-dev-key-NOT-FOR-PRODUCTION"));
        }
        finally
        {
            Directory.Delete(app, recursive: true);
        }
    }
}
