using Microsoft.Extensions.Logging;

namespace FunctionsApiKey.Usage;

/// <summary>
/// Hands the keys used since the last round to the <see cref="ILastUseStore"/> once a minute, and once more when the
/// app stops (<see cref="MinuteRounds"/>). Nothing is written while nothing changed. A failed round keeps the times for
/// the next one and warns once per streak of failures.
/// </summary>
internal sealed class LastUseWriter(LastUseRecorder recorder, ILastUseStore store, TimeProvider timeProvider, ILoggerFactory loggerFactory) : MinuteRounds(timeProvider)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger(ApiKeyDefaults.KeyRingLogCategory);
    private int _pending;

    /// <summary>One round: the keys used in a later minute than last written, if any, to the store.</summary>
    internal Task WriteAsync(CancellationToken cancellationToken) => TryRoundAsync(final: false, cancellationToken);

    protected override async Task<int> RoundAsync(bool final, CancellationToken cancellationToken)
    {
        var changes = recorder.Changes();
        _pending = changes.Count;
        if (changes.Count == 0)
        {
            return 0;
        }

        await store.RecordAsync(changes, cancellationToken).ConfigureAwait(false);
        recorder.MarkWritten(changes);
        return changes.Count;
    }

    protected override void Failed(bool again, string error)
    {
        if (again)
        {
            _logger.LastUseWriteFailedAgain(_pending, error);
        }
        else
        {
            _logger.LastUseWriteFailed(_pending, error);
        }
    }

    protected override void Succeeded(int items, double durationMs)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LastUseWritten(items, durationMs);
        }
    }
}
