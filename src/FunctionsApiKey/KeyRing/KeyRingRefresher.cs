using FunctionsApiKey.Diagnostics;
using FunctionsApiKey.Policies;
using FunctionsApiKey.Usage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsApiKey.KeyRing;

/// <summary>
/// Loads the key ring at startup and again on every interval (the source's poll interval or RefreshInterval, with
/// jitter), publishing each new snapshot with one swap. A failed load keeps the ring in force and is retried sooner, backing off; while no ring has ever loaded,
/// protected functions answer 503.
/// </summary>
internal sealed class KeyRingRefresher(
    IApiKeySource source,
    KeyRingProvider keyRings,
    IOptions<ApiKeyOptions> options,
    TimeProvider timeProvider,
    ApiKeyMetrics metrics,
    ILoggerFactory loggerFactory,
    IFunctionScopes? functionScopes = null,
    LastUseRecorder? lastUse = null,
    PolicyBook? policies = null,
    UsageRecorder? usage = null) : BackgroundService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger(ApiKeyDefaults.KeyRingLogCategory);

    // (key name, scope) pairs already reported, so each unknown scope is reported once, not on every refresh.
    private readonly HashSet<(string Key, string Scope)> _reportedScopes = [];

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting; the first load runs in the background and requests wait for it.
        await Task.Yield();

        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var error = await RefreshAsync(stoppingToken).ConfigureAwait(false);
            failures = error is null ? 0 : failures + 1;
            var delay = failures == 0 ? NextInterval() : RetryDelay(failures);
            if (error is not null)
            {
                if (keyRings.Current is { } ring)
                {
                    _logger.KeyRingRefreshFailed(source.Name, error, (timeProvider.GetUtcNow() - ring.AsOf).TotalSeconds, delay.TotalSeconds);
                }
                else
                {
                    _logger.KeyRingFirstLoadFailed(source.Name, error, delay.TotalSeconds);
                }
            }

            try
            {
                await Task.Delay(delay, timeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Loads once and publishes the result. Returns null on success, else why it failed (the old ring stays).</summary>
    internal async Task<string?> RefreshAsync(CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        ApiKeyLoadResult result;
        try
        {
            result = await source.LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            metrics.RecordLoad(source.Name, succeeded: false, timeProvider.GetElapsedTime(started));
            keyRings.ReportFailedLoad();
            return FailureText.Describe(ex);
        }

        var asOf = result.AsOf ?? timeProvider.GetUtcNow();
        if (result.Keys is not { } keys)
        {
            // Nothing changed: the ring in force stays, now known to be current as of the source's word. Not logged,
            // since a source that polls (the shared ring) says so every few seconds.
            if (keyRings.Current is not { } current)
            {
                metrics.RecordLoad(source.Name, succeeded: false, timeProvider.GetElapsedTime(started));
                keyRings.ReportFailedLoad();
                return $"{source.Name} reported no change before any keys loaded";
            }

            metrics.RecordLoad(source.Name, succeeded: true, timeProvider.GetElapsedTime(started));
            keyRings.Publish(current.ConfirmedAt(asOf));
            return null;
        }

        var ring = KeyRingSnapshot.Create(keys, source.Name, asOf, lastUse, usage, policies, out var duplicates);
        foreach (var names in duplicates)
        {
            _logger.DuplicateKeyValue(string.Join(", ", names), source.Name);
        }

        keyRings.Publish(ring);
        var elapsed = timeProvider.GetElapsedTime(started);
        metrics.RecordLoad(source.Name, succeeded: true, elapsed);
        _logger.KeyRingLoaded(ring.Count, source.Name, elapsed.TotalMilliseconds);
        if (ring.Count == 0)
        {
            _logger.NoKeysConfigured(source.Name);
        }

        await ReportUnknownScopesAsync(keys).ConfigureAwait(false);
        return null;
    }

    /// <summary>A scope that no function requires is a typo or a leftover: the key works nowhere it was meant to.</summary>
    private async Task ReportUnknownScopesAsync(IReadOnlyList<ApiKey> keys)
    {
        if (functionScopes is null || await functionScopes.GetRequiredScopesAsync().ConfigureAwait(false) is not { } required)
        {
            return;
        }

        foreach (var key in keys)
        {
            foreach (var scope in key.Scopes)
            {
                if (!required.Contains(scope) && _reportedScopes.Add((key.Name, scope)))
                {
                    _logger.UnknownScope(SafeText.Printable(key.Name), source.Name, SafeText.Printable(scope));
                }
            }
        }
    }

    /// <summary>The source's own poll interval, or RefreshInterval; the jitter never exceeds a fifth of it.</summary>
    private TimeSpan Interval => source.PollInterval ?? options.Value.RefreshInterval;

    private TimeSpan NextInterval()
    {
        var interval = Interval;
        var maxJitter = options.Value.RefreshJitter < interval / 5 ? options.Value.RefreshJitter : interval / 5;
        return interval + (maxJitter * ((Random.Shared.NextDouble() * 2) - 1));
    }

    private TimeSpan RetryDelay(int failures)
    {
        var backoff = FirstRetryDelay * Math.Pow(2, Math.Min(failures - 1, 16));
        var cap = Interval < MaxRetryDelay ? Interval : MaxRetryDelay;
        return backoff < cap ? backoff : cap;
    }
}
