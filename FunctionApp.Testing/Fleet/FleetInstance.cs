using FunctionApp.TestHost;

namespace FunctionApp.Testing.Fleet;

/// <summary>One instance of a <see cref="SharedRingFleet"/>: its own test host, worker process, HTTP client and log.</summary>
public sealed class FleetInstance : IAsyncDisposable
{
    /// <summary>The host's line for a scheduled run of the publisher (not a run through the admin API).</summary>
    public const string TimerRunLine = "[host] Executing 'Functions.PublishKeyRing' (Reason='Timer fired";

    internal FleetInstance(int number, FunctionsHost host, LogCapture log)
    {
        Number = number;
        Host = host;
        Log = log;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>1, 2, 3 … in the order the instances started.</summary>
    public int Number { get; }

    public FunctionsHost Host { get; }

    public HttpClient Client { get; }

    public LogCapture Log { get; }

    /// <summary>Whether the instance was killed (<see cref="KillAsync"/>) or stopped.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Whether it holds the PublishKeyRing timer's listener lease, and so runs its schedule.</summary>
    public bool IsPublisher => !Stopped && Host.ListeningTimers.Contains("PublishKeyRing");

    /// <summary>How many scheduled publisher runs it has started so far.</summary>
    public int TimerRuns => Log.Lines.Count(l => l.StartsWith(TimerRunLine, StringComparison.Ordinal));

    /// <summary>Ends it as a crash would: its worker's process tree is killed, and its lease is left to expire.</summary>
    public async Task KillAsync()
    {
        Stopped = true;
        await Host.KillAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Stopped = true;
        Client.Dispose();
        await Host.DisposeAsync();
    }
}
