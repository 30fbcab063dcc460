using FunctionsApiKey.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionsApiKey.Usage;

/// <summary>
/// Hands the keys used since the last round to the <see cref="ILastUseStore"/> once a minute, and once more when the
/// app stops, so an instance that scales in loses nothing. Nothing is written while nothing changed. A failed round
/// keeps the times for the next one and warns once per streak of failures, so a storage outage cannot flood the log.
/// </summary>
internal sealed class LastUseWriter(LastUseRecorder recorder, ILastUseStore store, TimeProvider timeProvider, ILoggerFactory loggerFactory) : BackgroundService
{
    /// <summary>How often an instance writes: the resolution of last use is a minute, so more often would buy nothing.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    // Time the final round may take while the app stops.
    private static readonly TimeSpan FinalRoundTimeout = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = loggerFactory.CreateLogger(ApiKeyDefaults.KeyRingLogCategory);
    private bool _failing;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(FinalRoundTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        await WriteAsync(linked.Token).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, timeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            await WriteAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>One round: the keys used in a later minute than last written, if any, to the store.</summary>
    internal async Task WriteAsync(CancellationToken cancellationToken)
    {
        var changes = recorder.Changes();
        if (changes.Count == 0)
        {
            return;
        }

        var started = timeProvider.GetTimestamp();
        try
        {
            await store.RecordAsync(changes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = FailureText.Describe(ex);
            if (_failing)
            {
                _logger.LastUseWriteFailedAgain(changes.Count, error);
            }
            else
            {
                _logger.LastUseWriteFailed(changes.Count, error);
            }

            _failing = true;
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        _failing = false;
        recorder.MarkWritten(changes);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LastUseWritten(changes.Count, timeProvider.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}
