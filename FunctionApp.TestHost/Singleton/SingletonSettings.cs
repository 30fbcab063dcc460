using System.Globalization;
using System.Text.Json;

namespace FunctionApp.TestHost.Singleton;

/// <summary>
/// The listener lease's timings, read as the host reads its <c>SingletonOptions</c>: host.json's <c>singleton</c>
/// section, overridden by <c>AzureFunctionsJobHost__singleton__…</c> settings, and held to the same bounds (a lease of
/// 15 to 60 s, the limits of a blob lease; a retry of at least 15 s), outside which the host does not start.
/// </summary>
/// <param name="ListenerLockPeriod">How long a listener lease lasts before it must be renewed: 60 s by default.</param>
/// <param name="ListenerLockRecoveryPollingInterval">How often an instance without the lease tries for it again: 1 minute by default.</param>
internal sealed record SingletonSettings(TimeSpan ListenerLockPeriod, TimeSpan ListenerLockRecoveryPollingInterval)
{
    /// <summary>The host's defaults (<c>SingletonOptions</c>).</summary>
    public static readonly SingletonSettings Default = new(TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(1));

    /// <summary>A blob lease's bounds, which the host's options enforce.</summary>
    private static readonly TimeSpan MinimumLeasePeriod = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan MaximumLeasePeriod = TimeSpan.FromSeconds(60);

    private const string OverridePrefix = "AzureFunctionsJobHost__singleton__";

    /// <param name="hostJson">host.json, or null when the app has none.</param>
    /// <param name="environment">The host's settings; an override is matched ignoring case, as configuration keys are.</param>
    /// <exception cref="InvalidOperationException">A value that is not a time span or is out of the host's bounds, naming the setting.</exception>
    public static SingletonSettings Read(JsonDocument? hostJson, IReadOnlyDictionary<string, string> environment)
    {
        var period = Read(hostJson, environment, "listenerLockPeriod") ?? Default.ListenerLockPeriod;
        if (period < MinimumLeasePeriod || period > MaximumLeasePeriod)
        {
            throw new InvalidOperationException($"singleton.listenerLockPeriod '{period:c}' is outside the host's range of 00:00:15 to 00:01:00 (a blob lease's limits); the host would not start.");
        }

        var retry = Read(hostJson, environment, "listenerLockRecoveryPollingInterval") ?? Default.ListenerLockRecoveryPollingInterval;
        if (retry < MinimumLeasePeriod)
        {
            throw new InvalidOperationException($"singleton.listenerLockRecoveryPollingInterval '{retry:c}' is under the host's minimum of 00:00:15; the host would not start.");
        }

        return new SingletonSettings(period, retry);
    }

    private static TimeSpan? Read(JsonDocument? hostJson, IReadOnlyDictionary<string, string> environment, string name)
    {
        var text = environment.FirstOrDefault(e => e.Key.Equals(OverridePrefix + name, StringComparison.OrdinalIgnoreCase)).Value;
        if (text is null
            && hostJson is not null
            && hostJson.RootElement.TryGetProperty("singleton", out var singleton)
            && singleton.ValueKind == JsonValueKind.Object
            && singleton.EnumerateObject().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) is { Value.ValueKind: JsonValueKind.String } property)
        {
            text = property.Value.GetString();
        }

        if (text is null)
        {
            return null;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidOperationException($"singleton.{name} '{text}' (host.json, or {OverridePrefix}{name}) is not a time span; write it as hh:mm:ss.");
    }
}
