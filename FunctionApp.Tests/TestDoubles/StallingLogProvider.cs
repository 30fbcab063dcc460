using Microsoft.Extensions.Logging;

namespace FunctionApp.Tests.TestDoubles;

/// <summary>
/// A log provider that holds up whoever writes the line with <c>eventId</c> until <see cref="Release"/> (at most 30 s,
/// so a test of code that waits for it fails rather than hangs), as a log pipeline stalled on its way to the host would.
/// </summary>
internal sealed class StallingLogProvider(int eventId) : ILoggerProvider
{
    private readonly ManualResetEventSlim _released = new();
    private readonly int _eventId = eventId;

    public void Release() => _released.Set();

    public ILogger CreateLogger(string categoryName) => new Stalling(this);

    public void Dispose()
    {
        _released.Set();
        _released.Dispose();
    }

    private sealed class Stalling(StallingLogProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (id.Id == provider._eventId)
            {
                provider._released.Wait(TimeSpan.FromSeconds(30));
            }
        }
    }
}
