using System.Diagnostics.Metrics;

namespace FunctionsApiKey.SharedRing;

/// <summary>The shared ring's instruments, on the package's meter <see cref="ApiKeyDefaults.MeterName"/>.</summary>
internal sealed class SharedRingMetrics
{
    private readonly Counter<long> _polls;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _publishes;
    private readonly Counter<long> _standIns;

    public SharedRingMetrics(IMeterFactory meterFactory)
        : this(meterFactory.Create(ApiKeyDefaults.MeterName))
    {
    }

    /// <summary>On a meter of the caller's, for a publisher run outside the app (<see cref="SharedRingPublisher"/>).</summary>
    public SharedRingMetrics(Meter meter)
    {
        _polls = meter.CreateCounter<long>("apikey.ring.polls", "{poll}",
            "Reads of the shared ring by instances, by result: unchanged, changed, refused, missing or failed.");
        _refused = meter.CreateCounter<long>("apikey.ring.refused", "{ring}",
            "Rings or heartbeats an instance refused, by reason (bad_signature, rollback, truncated, …).");
        _publishes = meter.CreateCounter<long>("apikey.ring.publishes", "{run}",
            "Runs of the publisher, by result: written, unchanged, conflict or failed.");
        _standIns = meter.CreateCounter<long>("apikey.ring.standins", "{attempt}",
            "Tries of an instance to stand in for a publisher gone quiet, by result: published, elsewhere (another instance holds the lease) or failed.");
    }

    public void Poll(string result) => _polls.Add(1, new KeyValuePair<string, object?>("apikey.ring.result", result));

    public void Refused(RingRefusal reason) => _refused.Add(1, new KeyValuePair<string, object?>("apikey.ring.reason", RingRefusalNames.Of(reason)));

    public void StandIn(string result) => _standIns.Add(1, new KeyValuePair<string, object?>("apikey.ring.result", result));

    public void Publish(string result) => _publishes.Add(1, new KeyValuePair<string, object?>("apikey.ring.result", result));
}
