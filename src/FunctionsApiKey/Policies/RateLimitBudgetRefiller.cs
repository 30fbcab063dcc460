using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using FunctionsApiKey.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionsApiKey.Policies;

/// <summary>
/// Keeps each partition's <see cref="SharedBudget"/> ahead of its demand: every <see cref="Interval"/> it measures what
/// the instance admitted and refused since the last round, and takes from the store enough for
/// <see cref="Lookahead"/> rounds at that rate, so requests find budget already held. A take that fails or does not
/// answer within <see cref="TakeTimeout"/> switches the instance to per-instance limits (one warning per outage,
/// every failed take counted); the next take that succeeds switches it back.
/// </summary>
internal sealed class RateLimitBudgetRefiller : BackgroundService
{
    /// <summary>How often budgets are topped up; the delay a new demand waits for its first batch.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>A take slower than this counts as a failure: the store is too slow to keep budgets ahead of demand.</summary>
    public static readonly TimeSpan TakeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Rounds of demand an instance holds: enough to cover a take's round trip and one missed round.</summary>
    public const int Lookahead = 3;

    /// <summary>Rounds without demand after which an instance keeps one request of a partition's budget and drops the rest.</summary>
    public const int IdleRounds = 10;

    /// <summary>The first take also connects (and, in Azure, gets a token), so it may take longer before it counts as failed.</summary>
    public static readonly TimeSpan FirstTakeTimeout = TimeSpan.FromSeconds(10);

    // While the store is failing, one partition's take per second tells whether it is back.
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    private readonly SharedRateLimits _shared;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Counter<long> _failures;
    private readonly Dictionary<SharedBudget, Demand> _demand = new(ReferenceEqualityComparer.Instance);
    private readonly TimeSpan _takeTimeout;
    private long _downSince;
    private long _nextProbe;
    private bool _answered;
    private bool _warned;

    /// <param name="shared">The budgets and the store.</param>
    /// <param name="time">The clock.</param>
    /// <param name="meterFactory">For the failure counter.</param>
    /// <param name="loggerFactory">For the outage lines.</param>
    /// <param name="takeTimeout">A slower take counts as failed; <see cref="TakeTimeout"/> unless given (tests on a loaded machine give more).</param>
    public RateLimitBudgetRefiller(SharedRateLimits shared, TimeProvider time, IMeterFactory meterFactory, ILoggerFactory loggerFactory, TimeSpan? takeTimeout = null)
    {
        _takeTimeout = takeTimeout ?? TakeTimeout;
        _shared = shared;
        _time = time;
        _logger = loggerFactory.CreateLogger(ApiKeyDefaults.PolicyLogCategory);
        _failures = meterFactory.Create(ApiKeyDefaults.MeterName).CreateCounter<long>("apikey.ratelimit.store.failures", "{take}",
            "Takes of rate-limit budget from the shared store that failed or timed out; meanwhile the instance counts limits alone.");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_shared.IsEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await RefillAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>One round: every partition whose budget runs short takes a batch, all at once.</summary>
    internal async Task RefillAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var budgets = _shared.Budgets;
        var takes = new List<(SharedBudget Budget, Demand Demand, Task<RateLimitGrant> Take)>();
        var probing = !_shared.StoreAnswers;
        if (probing && now.UtcTicks < _nextProbe)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_answered ? _takeTimeout : FirstTakeTimeout);
        foreach (var (partition, budget) in budgets)
        {
            var demand = DemandOf(budget);
            var wanted = demand.Wanted(budget, now.UtcTicks);
            if (probing && takes.Count == 0)
            {
                // Asks whether the store is back, with a take that is kept if granted.
                takes.Add((budget, demand, TakeAsync(partition, budget, Math.Max(1, wanted), timeout.Token)));
            }
            else if (wanted > 0 && !probing)
            {
                takes.Add((budget, demand, TakeAsync(partition, budget, wanted, timeout.Token)));
            }
        }

        if (_demand.Count > budgets.Count)
        {
            // Partitions of an older ring.
            var current = budgets.Select(b => b.Budget).ToHashSet(ReferenceEqualityComparer.Instance);
            foreach (var gone in _demand.Keys.Where(b => !current.Contains(b)).ToList())
            {
                _demand.Remove(gone);
            }
        }

        Exception? failure = null;
        foreach (var (budget, demand, take) in takes)
        {
            try
            {
                var grant = await take.ConfigureAwait(false);
                budget.Add(grant);
                demand.Granted(grant);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failure ??= ex;
                _failures.Add(1);
            }
        }

        if (failure is not null)
        {
            _nextProbe = (now + ProbeInterval).UtcTicks;
            _shared.StoreAnswers = false;
            if (!_warned)
            {
                _warned = true;
                _downSince = now.UtcTicks;
                _logger.RateLimitStoreFailed(FailureText.Describe(failure));
            }
        }
        else if (takes.Count > 0)
        {
            _answered = true;
            _shared.StoreAnswers = true;
            if (_warned)
            {
                _warned = false;
                var outage = (now.UtcTicks - _downSince) / TimeSpan.TicksPerSecond;
                _logger.RateLimitStoreRecovered(outage);
            }
        }
    }

    // Async so that a store (a public contract) that throws before its first await fails its task, inside the try below.
    private async Task<RateLimitGrant> TakeAsync(string partition, SharedBudget budget, int wanted, CancellationToken cancellationToken) =>
        await _shared.Store.TakeAsync(partition, budget.Limit, wanted, cancellationToken).ConfigureAwait(false);

    private Demand DemandOf(SharedBudget budget)
    {
        ref var demand = ref CollectionsMarshal.GetValueRefOrAddDefault(_demand, budget, out _);
        return demand ??= new Demand();
    }

    /// <summary>What one partition asked of this instance lately, measured once a round.</summary>
    private sealed class Demand
    {
        private long _heldAfterLastRound;
        private double _perRound;
        private int _idleRounds;
        private long _retryAt;

        /// <summary>How many to take now: enough for <see cref="Lookahead"/> rounds at the recent rate, at least one, within the burst.</summary>
        public int Wanted(SharedBudget budget, long nowTicks)
        {
            var held = budget.Held;
            var asked = Math.Max(0, _heldAfterLastRound - held) + budget.TakeRefused();
            _perRound = (_perRound + asked) / 2;
            _idleRounds = asked == 0 ? _idleRounds + 1 : 0;
            if (_idleRounds >= IdleRounds)
            {
                budget.Trim(1);
                held = budget.Held;
            }

            _heldAfterLastRound = held;
            if (nowTicks < _retryAt)
            {
                return 0;
            }

            var target = (long)Math.Min(Math.Min(Math.Ceiling(_perRound * Lookahead), budget.Limit.Burst), int.MaxValue);
            return (int)Math.Max(0, Math.Max(1, target) - held);
        }

        public void Granted(RateLimitGrant grant)
        {
            // Against the level measured before the take, so requests admitted meanwhile count as demand next round.
            _heldAfterLastRound += grant.Granted;
            _retryAt = grant.Granted == 0 ? grant.RetryAt.UtcTicks : 0;
        }
    }
}
