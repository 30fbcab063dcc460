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
/// The Information line goes to the thread pool rather than being written in the request: a line shipped to the host
/// costs tens of microseconds, and a denial that took that much longer than an unknown key's would tell its holder
/// that the key is known. The work item carries the request's execution context, so the line keeps the invocation's
/// log scope and trace, as if it had been written in the request.
/// </remarks>
internal sealed class KeyDenialLog(ILogger logger, TimeProvider timeProvider)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // Keys are names from the key ring, so the map is bounded by the keys ever loaded; it is pruned past this size in
    // case many keys come and go in a long-running process.
    private const int PruneAbove = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly long _windowTicks = (long)(Window.TotalSeconds * timeProvider.TimestampFrequency);

    /// <summary>Logs a denial of the known key <paramref name="keyName"/>, at most once a minute per key at Information.</summary>
    public void Denied(string functionName, string keyName, string reason)
    {
        if (!ShouldLog(keyName, out var unlogged))
        {
            logger.RequestDeniedForKeyAgain(functionName, keyName, reason);
            return;
        }

        ThreadPool.QueueUserWorkItem(
            static line => line.Logger.RequestDeniedForKey(line.FunctionName, line.KeyName, line.Reason, line.Unlogged),
            new Line(logger, functionName, keyName, reason, unlogged),
            preferLocal: false);
    }

    /// <summary>
    /// Whether this denial of <paramref name="keyName"/> gets an Information line; if so, <paramref name="unlogged"/>
    /// is how many denials of the key went without one since the last.
    /// </summary>
    private bool ShouldLog(string keyName, out int unlogged)
    {
        var now = timeProvider.GetTimestamp();
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

    private sealed record Line(ILogger Logger, string FunctionName, string KeyName, string Reason, int Unlogged);

    private sealed class Entry
    {
        public long LastLogged;
        public int Unlogged;
        public bool Logged;
    }
}
