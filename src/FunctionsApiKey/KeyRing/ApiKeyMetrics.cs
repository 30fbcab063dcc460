using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FunctionsApiKey.KeyRing;

/// <summary>
/// The package's instruments, on the meter <see cref="ApiKeyDefaults.MeterName"/>. Tags carry key names (for
/// recognised keys only) and never key material. Instrument names and tags are a documented contract.
/// </summary>
internal sealed class ApiKeyMetrics
{
    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _loadDuration;
    private readonly KeyRingProvider _keyRings;
    private readonly TimeProvider _timeProvider;

    public ApiKeyMetrics(IMeterFactory meterFactory, KeyRingProvider keyRings, TimeProvider timeProvider)
    {
        _keyRings = keyRings;
        _timeProvider = timeProvider;
        var meter = meterFactory.Create(ApiKeyDefaults.MeterName);
        _decisions = meter.CreateCounter<long>("apikey.decisions", "{decision}",
            "Requests to protected functions, by outcome, function and (for recognised keys) key name.");
        _loadDuration = meter.CreateHistogram<double>("apikey.keyring.load.duration", "s",
            "Time to load the key ring from its source, by source and result.");
        meter.CreateObservableGauge("apikey.keyring.keys", ObserveKeyCount, "{key}",
            "Keys in the ring in force.");
        meter.CreateObservableGauge("apikey.keyring.age", ObserveRingAge, "s",
            "Seconds since the ring in force was loaded; grows while refreshes fail.");
    }

    public void RecordDecision(in ApiKeyDecision decision, string functionName)
    {
        if (!_decisions.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "apikey.outcome", OutcomeNames.Of(decision.Outcome) },
            { "faas.name", functionName },
        };
        if (decision.Key is { } key)
        {
            tags.Add("apikey.name", key.Name);
        }

        _decisions.Add(1, tags);
    }

    public void RecordLoad(string source, bool succeeded, TimeSpan duration) =>
        _loadDuration.Record(duration.TotalSeconds,
            new KeyValuePair<string, object?>("apikey.source", source),
            new KeyValuePair<string, object?>("apikey.load.result", succeeded ? "success" : "failure"));

    private IEnumerable<Measurement<int>> ObserveKeyCount() =>
        _keyRings.Current is { } ring ? [new Measurement<int>(ring.Count, new KeyValuePair<string, object?>("apikey.source", ring.Source))] : [];

    private IEnumerable<Measurement<double>> ObserveRingAge() =>
        _keyRings.Current is { } ring
            ? [new Measurement<double>((_timeProvider.GetUtcNow() - ring.AsOf).TotalSeconds, new KeyValuePair<string, object?>("apikey.source", ring.Source))]
            : [];
}
