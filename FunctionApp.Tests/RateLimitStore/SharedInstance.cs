using FunctionApp.Testing;
using FunctionApp.Tests.TestDoubles;
using FunctionsApiKey;
using FunctionsApiKey.Policies;
using FunctionsApiKey.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;

namespace FunctionApp.Tests.RateLimitStore;

/// <summary>
/// One app instance's rate-limit path, as the gate wires it: its own Redis client, the shared budgets, the policy book
/// and the refiller, whose rounds the test runs one at a time instead of on its timer.
/// </summary>
internal sealed class SharedInstance : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public SharedInstance(string connectionString, TimeProvider time, params (string Property, string Text)[] policies)
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        Store = new RedisBudgetStore(new RedisRateLimitOptions { ConnectionString = connectionString }, credential: null, TimeProvider.System);
        Shared = new SharedRateLimits(Store);
        var loggerFactory = TestLogging.Factory(Logs);
        Book = new PolicyBook(loggerFactory, Shared);
        var meterFactory = _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        Failures = new MetricCollector<long>(meterFactory, ApiKeyDefaults.MeterName, "apikey.ratelimit.store.failures");
        // A take that answers at all counts as answered: on a loaded test machine a round trip can pass the app's second.
        // A stopped server refuses at once, so the outage tests do not wait on this.
        Refiller = new RateLimitBudgetRefiller(Shared, time, meterFactory, loggerFactory, takeTimeout: TimeSpan.FromSeconds(10));
        Policy = Book.Compile([PolicyKeys.Create("partner", TestKeys.NewValue(), policies)], "test", out _).Values.Single();
    }

    public RedisBudgetStore Store { get; }

    public SharedRateLimits Shared { get; }

    public PolicyBook Book { get; }

    public RateLimitBudgetRefiller Refiller { get; }

    public KeyPolicy Policy { get; }

    public FakeLogCollector Logs { get; } = new();

    public MetricCollector<long> Failures { get; }

    public SharedBudget Budget => Policy.Partition!.Budget!;

    public PolicyVerdict Admit() => Policy.Partition!.Admit(DateTimeOffset.UtcNow);

    /// <summary>Admits up to <paramref name="count"/> requests, as many as it can.</summary>
    public int AdmitUpTo(int count) => Enumerable.Range(0, count).Count(_ => Admit().IsAllowed);

    public Task RefillAsync() => Refiller.RefillAsync(CancellationToken.None);

    /// <summary>The first round, as the app's refiller runs it at startup: until it answers, the instance counts alone.</summary>
    public async Task<SharedInstance> StartedAsync()
    {
        await RefillAsync();
        Assert.True(Shared.StoreAnswers, "The first take answered.");
        return this;
    }

    public int Logged(int eventId) => Logs.GetSnapshot().Count(r => r.Id.Id == eventId);

    public async ValueTask DisposeAsync()
    {
        Failures.Dispose();
        Refiller.Dispose();
        await Store.DisposeAsync();
        await _services.DisposeAsync();
    }
}
