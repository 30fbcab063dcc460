using System.Diagnostics.Metrics;
using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Tests.TestDoubles;
using FunctionsApiKey;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.KeyVault;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace FunctionApp.Tests.KeyRing;

public sealed class KeyRingRefresherTests : IAsyncDisposable
{
    private static readonly ApiKeyOptions Options = new() { RefreshInterval = TimeSpan.FromMinutes(5), RefreshJitter = TimeSpan.FromSeconds(30) };

    private readonly TimerAwareTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private readonly ScriptedSource _source = new();
    private readonly FakeLogCollector _logs = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly KeyRingProvider _keyRings;
    private readonly KeyRingRefresher _refresher;
    private readonly MetricCollector<double> _loadDurations;

    public KeyRingRefresherTests()
    {
        _keyRings = new KeyRingProvider(_clock);
        var meters = _services.GetRequiredService<IMeterFactory>();
        _loadDurations = new MetricCollector<double>(meters, ApiKeyDefaults.MeterName, "apikey.keyring.load.duration");
        _refresher = new KeyRingRefresher(_source, _keyRings, Microsoft.Extensions.Options.Options.Create(Options), _clock,
            new ApiKeyMetrics(meters, _keyRings, _clock), TestLogging.Factory(_logs));
    }

    public async ValueTask DisposeAsync()
    {
        await _refresher.StopAsync(CancellationToken.None);
        _refresher.Dispose();
        _loadDurations.Dispose();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task TheFirstLoadStartsAtStartupAndPublishesTheRing()
    {
        _source.Next(TestKeys.Create("a", TestKeys.NewValue()), TestKeys.Create("b", TestKeys.NewValue()));

        await _refresher.StartAsync(CancellationToken.None);
        await _source.WaitForLoadsAsync(1);

        var ring = await WaitForRingAsync(r => r.Count == 2);
        Assert.Equal("scripted", ring.Source);
        Assert.Equal(_clock.GetUtcNow(), ring.AsOf);
        Assert.Contains(_logs.GetSnapshot(), r => r.Level == LogLevel.Information && r.Message.StartsWith("Loaded 2 API keys from scripted in ", StringComparison.Ordinal));
        Assert.Equal("success", Assert.Single(_loadDurations.GetMeasurementSnapshot()).Tags["apikey.load.result"]);
    }

    [Fact]
    public async Task ReloadsOnTheIntervalWithinItsJitter()
    {
        _source.Next(TestKeys.Create("a", TestKeys.NewValue()));
        await _refresher.StartAsync(CancellationToken.None);
        await _source.WaitForLoadsAsync(1);
        await _clock.WaitForTimersAsync(1);

        _source.Next(TestKeys.Create("a", TestKeys.NewValue()), TestKeys.Create("added", TestKeys.NewValue()));
        _clock.Advance(Options.RefreshInterval - Options.RefreshJitter - TimeSpan.FromSeconds(1));
        await Task.Delay(50);
        Assert.Equal(1, _source.Loads);

        _clock.Advance(Options.RefreshJitter * 2 + TimeSpan.FromSeconds(1));
        await _source.WaitForLoadsAsync(2);
        await WaitForRingAsync(r => r.Count == 2);
    }

    [Fact]
    public async Task AFailedRefreshKeepsTheLastGoodRingAndWarnsWithItsAge()
    {
        var key = TestKeys.Create("a", TestKeys.NewValue());
        _source.Next(key);
        await _refresher.StartAsync(CancellationToken.None);
        var good = await WaitForRingAsync(r => r.Count == 1);

        _source.Fail(new HttpRequestException("connection refused"));
        await _clock.WaitForTimersAsync(1);
        _clock.Advance(Options.RefreshInterval + Options.RefreshJitter);
        await _source.WaitForLoadsAsync(2);
        await WaitForLogAsync(LogLevel.Warning);

        Assert.Same(good, _keyRings.Current);
        var warning = Assert.Single(_logs.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Matches(@"^Loading API keys from scripted failed \(HttpRequestException: connection refused\); keeping the key ring loaded \d+ s ago\. Retrying in 1 s$", warning.Message);
        Assert.Contains(_loadDurations.GetMeasurementSnapshot(), m => (string?)m.Tags["apikey.load.result"] == "failure");
    }

    [Fact]
    public async Task AVaultThatStopsAnsweringKeepsTheLastGoodRingAndTheWarningNamesTheVault()
    {
        // The real vault source over the real SecretClient, through a proxy that starts resetting every connection.
        var vaultClock = new FakeTimeProvider(_clock.GetUtcNow().AddMinutes(-10));
        await using var vault = await FakeKeyVaultServer.StartAsync(vaultClock);
        var value = TestKeys.NewValue();
        vault.SetSecret("apikey-a", value, tags: KeyTags.EveryFunction);
        await using var proxy = new FaultProxy(vault.Port);
        var source = new KeyVaultApiKeySource(new KeyVaultKeyLoader(
            FakeKeyVaultClient.Create(vault, maxRetries: 1, port: proxy.Port),
            new KeyVaultApiKeyOptions { KeyVaultUri = FakeKeyVaultClient.VaultUri },
            TestLogging.Factory(_logs).CreateLogger(KeyVaultApiKeyDefaults.LogCategory)));
        using var refresher = new KeyRingRefresher(source, _keyRings, Microsoft.Extensions.Options.Options.Create(Options), _clock,
            new ApiKeyMetrics(_services.GetRequiredService<IMeterFactory>(), _keyRings, _clock), TestLogging.Factory(_logs));
        await refresher.StartAsync(CancellationToken.None);
        var good = await WaitForRingAsync(r => r.Count == 1);

        proxy.Fault = ProxyFault.Reset;
        await _clock.WaitForTimersAsync(1);
        _clock.Advance(Options.RefreshInterval + Options.RefreshJitter);
        await WaitForLogAsync(LogLevel.Warning);
        await refresher.StopAsync(CancellationToken.None);

        Assert.Same(good, _keyRings.Current);
        Assert.Equal("a", good.FindKey(TestKeys.Hash(value))?.Name);
        var warning = Assert.Single(_logs.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Matches(@"^Loading API keys from keyvault failed \(vault myvault\.vault\.azure\.net unreachable: .+\); keeping the key ring loaded \d+ s ago\. Retrying in 1 s$", warning.Message);
        Assert.True(proxy.Resets > 0);
    }

    [Fact]
    public async Task AFailedLoadIsRetriedSoonerThanTheIntervalBackingOff()
    {
        _source.Fail(new HttpRequestException("down"));
        _source.Fail(new HttpRequestException("down"));
        _source.Next(TestKeys.Create("a", TestKeys.NewValue()));
        await _refresher.StartAsync(CancellationToken.None);
        await _source.WaitForLoadsAsync(1);
        Assert.Null(_keyRings.Current);

        await _clock.WaitForTimersAsync(1);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await _source.WaitForLoadsAsync(2);
        await _clock.WaitForTimersAsync(2);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await Task.Delay(50);
        Assert.Equal(2, _source.Loads);

        _clock.Advance(TimeSpan.FromSeconds(1));
        await _source.WaitForLoadsAsync(3);
        await WaitForRingAsync(r => r.Count == 1);
        Assert.Equal(2, _logs.GetSnapshot().Count(r => r.Message.Contains("no key ring has loaded yet, so protected functions answer 503", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AnEmptyRingIsPublishedAndWarnedAbout()
    {
        _source.Next();
        await _refresher.StartAsync(CancellationToken.None);

        await WaitForRingAsync(r => r.Count == 0);
        await WaitForLogAsync(LogLevel.Warning);
        Assert.Contains(_logs.GetSnapshot(), r => r.Message == "No API keys are configured (scripted); every protected function answers 401");
    }

    [Fact]
    public async Task KeysWithTheSameValueAreLeftOutAndReportedTogetherByName()
    {
        var value = TestKeys.NewValue();
        _source.Next(TestKeys.Create("first", value), TestKeys.Create("copy", value), TestKeys.Create("other", TestKeys.NewValue()));
        await _refresher.StartAsync(CancellationToken.None);

        await WaitForRingAsync(r => r.Count == 1);
        Assert.Contains(_logs.GetSnapshot(), r => r.Level == LogLevel.Warning
            && r.Message == "API keys copy, first from scripted have the same value, so none of them is accepted; give each caller its own key and remove or change the others");
    }

    [Fact]
    public async Task AFailedFirstLoadStopsRequestsFromWaitingForIt()
    {
        _source.Fail(new HttpRequestException("down"));
        var waiting = _keyRings.GetAsync(TimeSpan.FromSeconds(10), CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        await _refresher.StartAsync(CancellationToken.None);

        Assert.Null(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        var later = _keyRings.GetAsync(TimeSpan.FromSeconds(10), CancellationToken.None).AsTask();
        Assert.True(later.IsCompleted);
        Assert.Null(await later);
    }

    [Fact]
    public async Task AScopeNoFunctionRequiresIsReportedOncePerKeyAndScope()
    {
        var refresher = new KeyRingRefresher(_source, _keyRings, Microsoft.Extensions.Options.Options.Create(Options), _clock,
            new ApiKeyMetrics(_services.GetRequiredService<IMeterFactory>(), _keyRings, _clock), TestLogging.Factory(_logs),
            new FixedFunctionScopes("SecureEndpoint", "reports"));
        _source.Next(
            TestKeys.Create("partner", TestKeys.NewValue(), scopes: ["secureendpoint", "Reprots"]),
            TestKeys.Create("unlimited", TestKeys.NewValue()));

        Assert.Null(await refresher.RefreshAsync(CancellationToken.None));
        Assert.Null(await refresher.RefreshAsync(CancellationToken.None));

        var warning = Assert.Single(_logs.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Equal("API key partner from scripted lists scope Reprots, which no function of this app requires; check its spelling against the function names and [RequireScope] attributes", warning.Message);
    }

    [Fact]
    public async Task AnUnknownScopeIsLoggedWithItsControlCharactersEscaped()
    {
        var refresher = new KeyRingRefresher(_source, _keyRings, Microsoft.Extensions.Options.Options.Create(Options), _clock,
            new ApiKeyMetrics(_services.GetRequiredService<IMeterFactory>(), _keyRings, _clock), TestLogging.Factory(_logs),
            new FixedFunctionScopes("reports"));
        _source.Next(TestKeys.Create("partner", TestKeys.NewValue(), scopes: ["reports\u001b[2J"]));

        Assert.Null(await refresher.RefreshAsync(CancellationToken.None));

        var warning = Assert.Single(_logs.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Equal("API key partner from scripted lists scope reports\\u001b[2J, which no function of this app requires; check its spelling against the function names and [RequireScope] attributes", warning.Message);
        Assert.DoesNotContain('\u001b', warning.Message);
    }

    private async Task<KeyRingSnapshot> WaitForRingAsync(Func<KeyRingSnapshot, bool> condition)
    {
        // Up to 5 s: a load from the fake vault makes TLS connections, which a busy machine can take a while over.
        for (var i = 0; i < 500; i++)
        {
            if (_keyRings.Current is { } ring && condition(ring))
            {
                return ring;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException("The expected key ring was not published.");
    }

    private async Task WaitForLogAsync(LogLevel level)
    {
        for (var i = 0; i < 500 && !_logs.GetSnapshot().Any(r => r.Level == level); i++)
        {
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task AnUnchangedLoadKeepsTheRingsKeysAndCountsItsAgeFromTheSourcesWordWithoutALogLine()
    {
        var value = TestKeys.NewValue();
        _source.Next(TestKeys.Create("a", value));
        Assert.Null(await _refresher.RefreshAsync(CancellationToken.None));
        var loaded = _keyRings.Current!;
        var confirmedAt = _clock.GetUtcNow().AddSeconds(7);
        _clock.Advance(TimeSpan.FromSeconds(10));
        _source.Unchanged(confirmedAt);
        var logsBefore = _logs.GetSnapshot().Count;

        Assert.Null(await _refresher.RefreshAsync(CancellationToken.None));

        var confirmed = _keyRings.Current!;
        Assert.NotSame(loaded, confirmed);
        Assert.Equal(confirmedAt, confirmed.AsOf);
        Assert.Same(loaded.FindKey(TestKeys.Hash(value)), confirmed.FindKey(TestKeys.Hash(value)));
        Assert.Equal(logsBefore, _logs.GetSnapshot().Count);
    }

    [Fact]
    public async Task AnUnchangedLoadBeforeAnyKeysIsAFailedLoad()
    {
        _source.Unchanged();

        Assert.Equal("scripted reported no change before any keys loaded", await _refresher.RefreshAsync(CancellationToken.None));
        Assert.Null(_keyRings.Current);
        Assert.True(_keyRings.GetAsync(TimeSpan.FromSeconds(10), CancellationToken.None).AsTask().IsCompleted);
    }

    [Fact]
    public async Task ASourceWithItsOwnPollIntervalIsAskedAtThatIntervalWithJitterWithinAFifthOfIt()
    {
        var polling = new PollingSource(TimeSpan.FromSeconds(5));
        using var refresher = new KeyRingRefresher(polling, _keyRings, Microsoft.Extensions.Options.Options.Create(Options), _clock,
            new ApiKeyMetrics(_services.GetRequiredService<IMeterFactory>(), _keyRings, _clock), TestLogging.Factory(_logs));
        await refresher.StartAsync(CancellationToken.None);
        await polling.WaitForLoadsAsync(1);

        for (var load = 2; load <= 4; load++)
        {
            await _clock.WaitForTimersAsync(load - 1);
            _clock.Advance(TimeSpan.FromSeconds(4) - TimeSpan.FromMilliseconds(1));
            await Task.Delay(30);
            Assert.Equal(load - 1, polling.Loads);
            _clock.Advance(TimeSpan.FromSeconds(2) + TimeSpan.FromMilliseconds(2));
            await polling.WaitForLoadsAsync(load);
        }

        await refresher.StopAsync(CancellationToken.None);
    }

    private sealed class PollingSource(TimeSpan pollInterval) : IApiKeySource
    {
        private int _loads;

        public string Name => "polling";

        public TimeSpan? PollInterval => pollInterval;

        public int Loads => Volatile.Read(ref _loads);

        public Task<ApiKeyLoadResult> LoadAsync(CancellationToken cancellationToken) =>
            Task.FromResult(Interlocked.Increment(ref _loads) == 1 ? ApiKeyLoadResult.Loaded([]) : ApiKeyLoadResult.Unchanged());

        public async Task WaitForLoadsAsync(int count)
        {
            for (var i = 0; i < 300 && Loads < count; i++)
            {
                await Task.Delay(10);
            }

            Assert.True(Loads >= count, $"Expected {count} loads, saw {Loads}.");
        }
    }

    private sealed class FixedFunctionScopes(params string[] scopes) : IFunctionScopes
    {
        public Task<IReadOnlySet<string>?> GetRequiredScopesAsync() =>
            Task.FromResult<IReadOnlySet<string>?>(new HashSet<string>(scopes, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>A key source whose loads return (or throw) what the test queued, in order.</summary>
    private sealed class ScriptedSource : IApiKeySource
    {
        private readonly Queue<Func<ApiKeyLoadResult>> _script = new();
        private Func<ApiKeyLoadResult> _last = () => ApiKeyLoadResult.Loaded([]);
        private int _loads;

        public string Name => "scripted";

        public int Loads => Volatile.Read(ref _loads);

        public void Next(params ApiKey[] keys)
        {
            lock (_script)
            {
                _script.Enqueue(() => ApiKeyLoadResult.Loaded(keys));
            }
        }

        public void Fail(Exception error)
        {
            lock (_script)
            {
                _script.Enqueue(() => throw error);
            }
        }

        public void Unchanged(DateTimeOffset? asOf = null)
        {
            lock (_script)
            {
                _script.Enqueue(() => ApiKeyLoadResult.Unchanged(asOf));
            }
        }

        public Task<ApiKeyLoadResult> LoadAsync(CancellationToken cancellationToken)
        {
            Func<ApiKeyLoadResult> step;
            lock (_script)
            {
                // Steps run in order; once they run out, the last one repeats.
                step = _last = _script.TryDequeue(out var next) ? next : _last;
            }

            try
            {
                return Task.FromResult(step());
            }
            finally
            {
                Interlocked.Increment(ref _loads);
            }
        }

        public async Task WaitForLoadsAsync(int count)
        {
            for (var i = 0; i < 200 && Loads < count; i++)
            {
                await Task.Delay(10);
            }

            Assert.True(Loads >= count, $"Expected {count} loads, saw {Loads}.");
        }
    }
}
