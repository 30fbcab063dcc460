using System.Text;
using FunctionApp.Testing.Redis;
using FunctionsApiKey;
using FunctionsApiKey.Redis;

namespace FunctionApp.Tests.RateLimitStore;

/// <summary>The Lua cell in a real Redis-protocol server: grants up to the number wanted, never past the limit, across clients.</summary>
public sealed class RedisBudgetStoreTests : IDisposable
{
    private static readonly ApiKeyRateLimit HundredAMinute = new(100, TimeSpan.FromMinutes(1), 100);

    private readonly GarnetRedisServer _server = GarnetRedisServer.Started();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task TwoClientsTakeTheBurstBetweenThemAndNoMore()
    {
        await using var a = Store();
        await using var b = Store();

        var first = await a.TakeAsync("owner:acme", HundredAMinute, 80, CancellationToken.None);
        var second = await b.TakeAsync("owner:acme", HundredAMinute, 80, CancellationToken.None);
        var third = await a.TakeAsync("owner:acme", HundredAMinute, 80, CancellationToken.None);

        Assert.Equal(80, first.Granted);
        Assert.Equal(20, second.Granted);
        Assert.Equal(0, third.Granted);

        // The next request's worth comes back one interval (0.6 s) after the last granted would have been due.
        Assert.InRange(third.RetryAt - DateTimeOffset.UtcNow, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task PartitionsAreCountedApart()
    {
        await using var store = Store();

        Assert.Equal(100, (await store.TakeAsync("key:a", HundredAMinute, 500, CancellationToken.None)).Granted);
        Assert.Equal(100, (await store.TakeAsync("key:b", HundredAMinute, 500, CancellationToken.None)).Granted);
        Assert.Equal(0, (await store.TakeAsync("key:a", HundredAMinute, 1, CancellationToken.None)).Granted);
    }

    [Fact]
    public async Task AStoppedServerFailsTheTakeRatherThanGrantingAnything()
    {
        await using var store = Store();
        await store.TakeAsync("key:a", HundredAMinute, 1, CancellationToken.None);
        _server.Stop();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAnyAsync<Exception>(async () => await store.TakeAsync("key:a", HundredAMinute, 1, timeout.Token));
    }

    [Fact]
    public void WithoutSettingsTheStoreIsOff()
    {
        Assert.False(((IRateLimitBudgetStore)new RedisBudgetStore(new RedisRateLimitOptions(), null, TimeProvider.System)).IsEnabled);
        Assert.True(((IRateLimitBudgetStore)new RedisBudgetStore(new RedisRateLimitOptions { ConnectionString = _server.ConnectionString }, null, TimeProvider.System)).IsEnabled);
    }

    [Fact]
    public void TheAuthUserIsTheTokensObjectId()
    {
        var token = Jwt("""{"aud":"https://redis.azure.com","oid":"6b2c4f0e-1111-4a2b-9c3d-123456789abc"}""");

        Assert.Equal("6b2c4f0e-1111-4a2b-9c3d-123456789abc", EntraToken.ObjectId(token));
        Assert.Throws<FormatException>(() => EntraToken.ObjectId(Jwt("""{"aud":"https://redis.azure.com"}""")));
        Assert.Throws<FormatException>(() => EntraToken.ObjectId("not-a-token"));
    }

    private static string Jwt(string payload) =>
        $"eyJhbGciOiJub25lIn0.{Convert.ToBase64String(Encoding.UTF8.GetBytes(payload)).TrimEnd('=').Replace('+', '-').Replace('/', '_')}.c2ln";

    private RedisBudgetStore Store() => new(new RedisRateLimitOptions { ConnectionString = _server.ConnectionString }, null, TimeProvider.System);
}
