using FunctionApp.Testing.Redis;
using FunctionsApiKey.Policies;
using Microsoft.Extensions.Time.Testing;

namespace FunctionApp.Tests.RateLimitStore;

/// <summary>
/// Rate limits shared through a real Redis-protocol server (Garnet, in this process): instances together admit the
/// limit, not once each; requests are admitted from budget already held, with no network; a store that fails turns
/// each instance to its own limits with one warning and a counted failure, and back when it answers.
/// </summary>
public sealed class SharedRateLimitTests : IDisposable
{
    private readonly GarnetRedisServer _server = GarnetRedisServer.Started();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task TwoInstancesSharingAStoreTogetherAdmitTheLimitNotTwiceIt()
    {
        // 20 a minute: one request's worth comes back every 3 s, so the test's second or two adds at most one.
        await using var a = await new SharedInstance(_server.ConnectionString, _time, ("RateLimit", "20/min")).StartedAsync();
        await using var b = await new SharedInstance(_server.ConnectionString, _time, ("RateLimit", "20/min")).StartedAsync();

        var admitted = 0;
        for (var round = 0; round < 30; round++)
        {
            admitted += a.AdmitUpTo(3) + b.AdmitUpTo(3);
            await Task.WhenAll(a.RefillAsync(), b.RefillAsync());
        }

        admitted += a.AdmitUpTo(20) + b.AdmitUpTo(20);

        // A take that failed would have turned an instance to its own limit: say why rather than only the count.
        Assert.True(a.Logged(70) + b.Logged(70) == 0, string.Join('\n', a.Logs.GetSnapshot().Concat(b.Logs.GetSnapshot()).Select(r => r.Message)));

        // Each alone would have admitted 20.
        Assert.InRange(admitted, 20, 21);
        Assert.Equal(0, a.Budget.Held + b.Budget.Held);
        Assert.True(a.Shared.StoreAnswers && b.Shared.StoreAnswers);
    }

    [Fact]
    public async Task AnInstanceWithNoBudgetLeftRefusesWithTheStoresRetryTime()
    {
        await using var instance = await new SharedInstance(_server.ConnectionString, _time, ("RateLimit", "2/min")).StartedAsync();
        for (var round = 0; round < 5; round++)
        {
            instance.AdmitUpTo(2);
            await instance.RefillAsync();
        }

        var refused = instance.Admit();

        // One request every 30 s, and the last was granted within the past second or two.
        Assert.Equal(PolicyRefusal.RateLimited, refused.Refusal);
        Assert.InRange(refused.RetryAfterSeconds, 25, 30);
        Assert.Equal(("rate", 2L, 60L), (refused.PolicyName, refused.Quota, refused.WindowSeconds));
    }

    [Fact]
    public async Task BudgetHeldIsAdmittedWithTheStoreDownThenTheInstanceCountsAlone()
    {
        await using var instance = await new SharedInstance(_server.ConnectionString, _time, ("RateLimit", "100/min burst 10")).StartedAsync();
        for (var round = 0; round < 2; round++)
        {
            instance.AdmitUpTo(2);
            await instance.RefillAsync();
        }

        var held = instance.Budget.Held;
        Assert.True(held > 0, "The refiller took budget ahead of need.");
        _server.Stop();

        // Requests take from what is held: no network, so the stopped server changes nothing yet.
        Assert.Equal(held, instance.AdmitUpTo((int)held));
        Assert.Equal(PolicyRefusal.RateLimited, instance.Admit().Refusal);

        // Past the time the store said it would have more, so the refiller asks.
        _time.Advance(TimeSpan.FromSeconds(2));
        await instance.RefillAsync();

        Assert.False(instance.Shared.StoreAnswers);
        Assert.Equal(1, instance.Logged(70));
        Assert.True(instance.Failures.GetMeasurementSnapshot().Sum(m => m.Value) >= 1);

        // Now the instance's own limit counts: its burst of 10, fresh.
        Assert.Equal(10, instance.AdmitUpTo(15));
    }

    [Fact]
    public async Task AnOutageIsWarnedOnceAndTheInstanceSharesAgainWhenTheStoreAnswers()
    {
        await using var instance = await new SharedInstance(_server.ConnectionString, _time, ("RateLimit", "100/min burst 10")).StartedAsync();

        _server.Stop();
        for (var round = 0; round < 4; round++)
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal(PolicyRefusal.None, instance.Admit().Refusal);
            await instance.RefillAsync();
        }

        Assert.False(instance.Shared.StoreAnswers);
        Assert.Equal(1, instance.Logged(70));
        Assert.Equal(4, instance.Failures.GetMeasurementSnapshot().Sum(m => m.Value));

        _server.Start();
        _time.Advance(TimeSpan.FromSeconds(2));
        await WaitUntilAsync(async () =>
        {
            await instance.RefillAsync();
            _time.Advance(TimeSpan.FromSeconds(2));
            return instance.Shared.StoreAnswers;
        });

        Assert.Equal(1, instance.Logged(71));
        Assert.Equal(1, instance.Logged(70));
        Assert.True(instance.Budget.Held > 0);
    }

    [Fact]
    public async Task AStoreThatIsDownAtStartLeavesTheInstanceCountingAlone()
    {
        _server.Stop();
        await using var instance = new SharedInstance(_server.ConnectionString, _time, ("RateLimit", "5/min"));
        Assert.Equal(2, instance.AdmitUpTo(2));

        await instance.RefillAsync();

        Assert.False(instance.Shared.StoreAnswers);
        Assert.Equal(1, instance.Logged(70));
        Assert.Equal(3, instance.AdmitUpTo(8));
        Assert.Equal(0, instance.Logged(71));
    }

    [Fact]
    public async Task UntilTheFirstTakeAnswersAnInstanceCountsAloneWithoutAWarning()
    {
        await using var instance = new SharedInstance(_server.ConnectionString, _time, ("RateLimit", "5/min"));

        Assert.Equal(5, instance.AdmitUpTo(8));
        await instance.StartedAsync();

        Assert.Equal(0, instance.Logged(70) + instance.Logged(71));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("The condition did not hold within 5 s.");
    }
}
