using FunctionsApiKey.Policies;
using Microsoft.Extensions.Logging;

namespace FunctionsApiKey.Usage;

/// <summary>
/// Once a minute, and once more when the app stops (<see cref="MinuteRounds"/>), hands the <see cref="IUsageStore"/>
/// this instance's request totals that changed, then reads what the other instances allowed in each quota's current
/// period, so quotas hold across instances. A failed round keeps the totals for the next one (they are totals, so
/// writing them again counts them once), leaves the quotas on the last figures read (or on this instance's own count),
/// and warns once per streak of failures.
/// </summary>
internal sealed class UsageWriter(UsageRecorder recorder, IUsageStore store, TimeProvider timeProvider, ILoggerFactory loggerFactory, PolicyBook? policies = null) : MinuteRounds(timeProvider)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger(ApiKeyDefaults.KeyRingLogCategory);
    private int _pending;

    /// <summary>One round as the minute brings it: write, then read the quotas' shared counts.</summary>
    internal Task RoundAsync(CancellationToken cancellationToken) => TryRoundAsync(final: false, cancellationToken);

    // A starting instance reads the others' counts at once rather than admit a minute on its own count alone.
    protected override Task FirstRoundAsync(CancellationToken cancellationToken) => TryRoundAsync(final: false, cancellationToken);

    protected override async Task<int> RoundAsync(bool final, CancellationToken cancellationToken)
    {
        var changes = recorder.Changes();
        _pending = changes.Count;
        if (changes.Count > 0)
        {
            await store.RecordAsync(recorder.Instance, changes, cancellationToken).ConfigureAwait(false);
            recorder.MarkWritten(changes);
        }

        if (!final)
        {
            await ShareAsync(cancellationToken).ConfigureAwait(false);
        }

        return changes.Count;
    }

    protected override void Failed(bool again, string error)
    {
        if (again)
        {
            _logger.UsageWriteFailedAgain(_pending, error);
        }
        else
        {
            _logger.UsageWriteFailed(_pending, error);
        }
    }

    protected override void Succeeded(int items, double durationMs)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.UsageWritten(items, durationMs);
        }
    }

    private async Task ShareAsync(CancellationToken cancellationToken)
    {
        if (policies is null)
        {
            return;
        }

        var now = TimeProvider.GetUtcNow();
        foreach (var (partition, keyNames) in policies.QuotaPartitions())
        {
            foreach (var counter in partition.Quotas)
            {
                var (start, end) = (counter.Quota.PeriodStart(now), counter.Quota.PeriodEnd(now));
                var others = await store.CountAllowedAsync(keyNames, start, end, recorder.Instance, cancellationToken).ConfigureAwait(false);
                counter.ShareOthers(end, others);
            }
        }
    }
}
