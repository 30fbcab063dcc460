using FunctionApp.TestHost;
using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Tests.Storage;
using FunctionsApiKey.LastUse;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// Last use in the unchanged worker: an allowed request is noted in memory, and the worker writes it to the table in
/// Azurite, by managed identity, when the host stops it (the final round), long before the first one-minute round.
/// </summary>
public sealed class LastUseEndToEndTests
{
    [Fact]
    public async Task AnAllowedKeysMinuteReachesTheTableWhenTheWorkerStops()
    {
        await using var azure = await FakeAzureEnvironment.StartAsync(withStorage: true);
        var usedKey = TestKeys.NewValue();
        var tableName = "lastuse" + Guid.NewGuid().ToString("N");
        var environment = azure.PlatformEnvironment();
        foreach (var (setting, value) in azure.StorageSettings())
        {
            environment[setting] = value;
        }

        environment["ApiKeys__Keys__local-dev"] = null;
        environment["ApiKeys__Keys__used"] = usedKey;
        environment["ApiKeys__Keys__unused"] = TestKeys.NewValue();
        environment["ApiKeys__LastUseTable"] = tableName;
        var usageTableName = "usage" + Guid.NewGuid().ToString("N");
        environment["ApiKeys__UsageTable"] = usageTableName;
        environment["Logging__LogLevel__FunctionsApiKey"] = "Debug";
        var log = new LogCapture();
        var before = DateTimeOffset.UtcNow;

        await using (var host = await FunctionsHost.StartAsync(new FunctionsHostOptions { Port = 0, Environment = environment, Log = log }))
        {
            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            Assert.Equal(200, await SecureEndpoint.CallAsync(client, usedKey));
            Assert.Equal(200, await SecureEndpoint.CallAsync(client, usedKey));
            Assert.Equal(401, await SecureEndpoint.CallAsync(client, TestKeys.NewValue()));
        }

        var tables = azure.Storage!.Tables(new IdentityEndpointCredential(azure.Identity));
        var uses = await new LastUseTable(tables.GetTableClient(tableName)).ReadAsync();

        var (name, minute) = Assert.Single(uses);
        Assert.Equal("used", name);
        Assert.InRange(minute, before.AddTicks(-(before.Ticks % TimeSpan.TicksPerMinute)), DateTimeOffset.UtcNow);
        Assert.Equal(0, minute.Ticks % TimeSpan.TicksPerMinute);
        Assert.Contains(log.Lines, l => l.Contains("FunctionsApiKey.KeyRing: Wrote the last use of 1 API keys", StringComparison.Ordinal));

        // The same stop wrote the request counts: two allowed; the unknown key is counted nowhere.
        var counts = await new UsageTable(tables.GetTableClient(usageTableName)).ReadTotalsAsync(before.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1));
        var (counted, usage) = Assert.Single(counts);
        Assert.Equal(("used", 2L, 0L, 0L), (counted, usage.Allowed, usage.Denied, usage.OverLimit));
        Assert.DoesNotContain(log.Lines, l => l.Contains(usedKey, StringComparison.Ordinal));
    }
}
