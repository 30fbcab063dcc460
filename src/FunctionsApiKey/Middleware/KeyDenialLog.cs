using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace FunctionsApiKey.Middleware;

/// <summary>
/// The log lines about denied known keys (revoked, expired, not yet valid, outside their scopes): an Information line
/// once per key per <see cref="Window"/>, written off the request path, and a Debug line for each denial in between.
/// Without the limit anyone holding a revoked or expired key could write a log line per request. The denials in
/// between are counted here, reported in the next line, and counted by the <c>apikey.decisions</c> metric as always.
/// </summary>
/// <remarks>
/// The Information lines are queued and written together up to <see cref="FlushDelay"/> later, not in the request: a
/// line costs tens of microseconds to format and ship, and written during the request (or beside it, on another
/// thread of a small instance) it made that denial measurably slower than an unknown key's, which told its holder
/// that the key is known. Each line is written in the request's execution context, so it keeps the invocation's log
/// scope and trace. Because it arrives after the invocation has ended, the Functions host does not keep it in its
/// own log; it reaches Application Insights through the worker's exporter and the worker's console, as the key
/// ring's lines do (docs/monitoring.md). Lines still queued when the process ends are lost.
/// </remarks>
internal sealed class KeyDenialLog
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>How long a line may wait before it is written.</summary>
    public static readonly TimeSpan FlushDelay = TimeSpan.FromSeconds(1);

    // Keys are names from the key ring, so the map is bounded by the keys ever loaded; it is pruned past this size in
    // case many keys come and go in a long-running process.
    private const int PruneAbove = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Line> _pending = new();
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly long _windowTicks;
    private readonly ITimer _flush;
    private int _flushScheduled;

    public KeyDenialLog(ILogger logger, TimeProvider timeProvider)
    {
        _logger = logger;
        _timeProvider = timeProvider;
        _windowTicks = (long)(Window.TotalSeconds * timeProvider.TimestampFrequency);
        _flush = timeProvider.CreateTimer(static state => ((KeyDenialLog)state!).Flush(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Logs a denial of the known key <paramref name="keyName"/>, at most once a minute per key at Information.</summary>
    public void Denied(string functionName, string keyName, string reason)
    {
        if (!ShouldLog(keyName, out var unlogged))
        {
            _logger.RequestDeniedForKeyAgain(functionName, keyName, reason);
            return;
        }

        _pending.Enqueue(new Line(_logger, ExecutionContext.Capture(), functionName, keyName, reason, unlogged));
        if (Interlocked.Exchange(ref _flushScheduled, 1) == 0)
        {
            _flush.Change(FlushDelay, Timeout.InfiniteTimeSpan);
        }
    }

    private void Flush()
    {
        // Cleared before draining: a line queued from here on schedules the next flush, and is written by this one or that.
        Volatile.Write(ref _flushScheduled, 0);
        while (_pending.TryDequeue(out var line))
        {
            if (line.Context is { } context)
            {
                ExecutionContext.Run(context, static state => ((Line)state!).Write(), line);
            }
            else
            {
                line.Write();
            }
        }
    }

    /// <summary>
    /// Whether this denial of <paramref name="keyName"/> gets an Information line; if so, <paramref name="unlogged"/>
    /// is how many denials of the key went without one since the last.
    /// </summary>
    private bool ShouldLog(string keyName, out int unlogged)
    {
        var now = _timeProvider.GetTimestamp();
        if (!_entries.TryGetValue(keyName, out var entry))
        {
            if (_entries.Count >= PruneAbove)
            {
                Prune(now);
            }

            entry = _entries.GetOrAdd(keyName, static _ => new Entry());
        }

        lock (entry)
        {
            if (entry.Logged && now - entry.LastLogged < _windowTicks)
            {
                entry.Unlogged++;
                unlogged = 0;
                return false;
            }

            unlogged = entry.Unlogged;
            entry.Unlogged = 0;
            entry.LastLogged = now;
            entry.Logged = true;
            return true;
        }
    }

    private void Prune(long now)
    {
        foreach (var (name, entry) in _entries)
        {
            if (now - Volatile.Read(ref entry.LastLogged) >= _windowTicks)
            {
                _entries.TryRemove(name, out _);
            }
        }
    }

    private sealed record Line(ILogger Logger, ExecutionContext? Context, string FunctionName, string KeyName, string Reason, int Unlogged)
    {
        public void Write() => Logger.RequestDeniedForKey(FunctionName, KeyName, Reason, Unlogged);
    }

    private sealed class Entry
    {
        public long LastLogged;
        public int Unlogged;
        public bool Logged;
    }
}
