using FunctionsApiKey.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace FunctionsApiKey.Usage;

/// <summary>
/// What the last-use and usage writers share: a round once a minute and a last one, bounded, when the app stops, so an
/// instance that scales in loses nothing; a failed round leaves what it had for the next one and is reported once per
/// streak of failures, so a storage outage cannot flood the log.
/// </summary>
internal abstract class MinuteRounds(TimeProvider timeProvider) : BackgroundService
{
    /// <summary>How often an instance writes: the resolution of last use is a minute, and usage counts are read back as often.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    // Time the final round may take while the app stops.
    private static readonly TimeSpan FinalRoundTimeout = TimeSpan.FromSeconds(5);

    private bool _failing;

    protected TimeProvider TimeProvider { get; } = timeProvider;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(FinalRoundTimeout, TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        await TryRoundAsync(final: true, linked.Token).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await FirstRoundAsync(stoppingToken).ConfigureAwait(false);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, TimeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            await TryRoundAsync(final: false, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs when the app starts, before the first minute; nothing by default.</summary>
    protected virtual Task FirstRoundAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>One round; returns how many items it handed over (for the log), throws to keep them for the next.</summary>
    protected abstract Task<int> RoundAsync(bool final, CancellationToken cancellationToken);

    /// <summary>Reports a failed round: <paramref name="again"/> when the round before failed too.</summary>
    protected abstract void Failed(bool again, string error);

    /// <summary>Reports a round that handed over <paramref name="items"/> (more than none) in <paramref name="durationMs"/>.</summary>
    protected abstract void Succeeded(int items, double durationMs);

    /// <summary>One round, its failure reported rather than thrown.</summary>
    internal async Task TryRoundAsync(bool final, CancellationToken cancellationToken)
    {
        var started = TimeProvider.GetTimestamp();
        int items;
        try
        {
            items = await RoundAsync(final, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Failed(_failing, FailureText.Describe(ex));
            _failing = true;
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        _failing = false;
        if (items > 0)
        {
            Succeeded(items, TimeProvider.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}
