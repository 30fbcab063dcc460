using System.Collections.Immutable;
using System.Net;
using FunctionsApiKey.Diagnostics;
using Microsoft.Extensions.Logging;

namespace FunctionsApiKey.Policies;

/// <summary>
/// Turns the policy properties of each new key ring's keys into what the gate checks per request, and keeps the counts:
/// one partition per key, or per owner for keys that name one, kept across refreshes while its limits stay the same. Keys
/// of one owner share the narrowest rate limit and, per period, the smallest quota any of them declares, and every key of
/// that owner draws from them, whether or not it declares a limit itself: a declaration can narrow an owner, never
/// widen one.
/// </summary>
/// <param name="loggerFactory">For the policies' log lines.</param>
/// <param name="shared">The rate limits shared through a store, when the app registered one.</param>
/// <param name="usage">The usage store, when the app registered one: quotas are then shared through its counts.</param>
internal sealed class PolicyBook(ILoggerFactory loggerFactory, SharedRateLimits? shared = null, IUsageStore? usage = null)
{
    private readonly SharedRateLimits? _shared = shared is { IsEnabled: true } ? shared : null;
    private readonly bool _usageShared = usage is not null;
    private readonly ILogger _logger = loggerFactory.CreateLogger(ApiKeyDefaults.PolicyLogCategory);
    private readonly Lock _lock = new();
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);
    private Dictionary<string, PolicyPartition> _partitions = new(StringComparer.Ordinal);
    private IReadOnlyList<(PolicyPartition Partition, string[] KeyNames)> _quotas = [];
    private bool _warnedPerInstance;

    /// <summary>
    /// The policy of each key that has one. A key whose policy text does not read (a source that did not check it
    /// against the declaration) is put in <paramref name="refused"/>, to be left out of the ring, and logged.
    /// </summary>
    public Dictionary<ApiKey, KeyPolicy> Compile(IReadOnlyCollection<ApiKey> keys, string source, out HashSet<ApiKey> refused)
    {
        lock (_lock)
        {
            refused = new HashSet<ApiKey>(ReferenceEqualityComparer.Instance);
            var read = new List<(ApiKey Key, ImmutableArray<IPNetwork> Networks, ApiKeyRateLimit? Rate, ApiKeyQuota? Quota, string Partition)>();
            foreach (var key in keys)
            {
                if (key.Properties.IsEmpty)
                {
                    continue;
                }

                if (!TryRead(key, ApiKeyPolicies.Ips, source, out var networks) | !TryRead(key, ApiKeyPolicies.RateLimit, source, out var rate)
                    | !TryRead(key, ApiKeyPolicies.Quota, source, out var quota) | !TryRead(key, ApiKeyPolicies.Owner, source, out var owner))
                {
                    refused.Add(key);
                    continue;
                }

                read.Add((key, networks, rate, quota, owner is null ? $"key:{key.Name}" : $"owner:{owner.ToLowerInvariant()}"));
            }

            var partitions = new Dictionary<string, PolicyPartition>(StringComparer.Ordinal);
            foreach (var group in read.GroupBy(r => r.Partition, StringComparer.Ordinal))
            {
                var members = group.ToList();
                var rate = Narrowest(group.Key, members.Where(m => m.Rate is not null).Select(m => (m.Key.Name, m.Rate!)).ToList());
                var quotas = Smallest(group.Key, members.Where(m => m.Quota is not null).Select(m => (m.Key.Name, m.Quota!)).ToList());
                if (rate is not null || quotas.Count > 0)
                {
                    partitions[group.Key] = _partitions.TryGetValue(group.Key, out var existing) && existing.Enforces(rate, quotas)
                        ? existing
                        : NewPartition(group.Key, rate, quotas, existing, _shared);
                }
            }

            _partitions = partitions;
            _quotas = [.. read.GroupBy(r => r.Partition, StringComparer.Ordinal)
                .Where(g => partitions.TryGetValue(g.Key, out var p) && p.Quotas.Length > 0)
                .Select(g => (partitions[g.Key], g.Select(r => r.Key.Name).Distinct(StringComparer.Ordinal).ToArray()))];
            _shared?.Track(partitions.Values);

            // What no store shares is counted on each instance: rate limits without a rate-limit store, quotas without a
            // usage store.
            var rateLimits = _shared is null ? partitions.Values.Count(p => p.RateLimiter is not null) : 0;
            var quotaLimits = _usageShared ? 0 : partitions.Values.Count(p => p.Quotas.Length > 0);
            if (rateLimits + quotaLimits > 0 && !_warnedPerInstance)
            {
                _warnedPerInstance = true;
                _logger.LimitsPerInstance(rateLimits, quotaLimits);
            }

            var policies = new Dictionary<ApiKey, KeyPolicy>(ReferenceEqualityComparer.Instance);
            foreach (var (key, networks, _, _, partition) in read)
            {
                var counts = partitions.GetValueOrDefault(partition);
                if (!networks.IsDefault || counts is not null)
                {
                    policies[key] = new KeyPolicy(networks, counts);
                }
            }

            return policies;
        }
    }

    /// <summary>
    /// The partitions of the last compiled ring that have a quota, each with the names of the keys that draw from it (one
    /// key, or every key of an owner), for the usage writer to share their counts across instances.
    /// </summary>
    public IReadOnlyList<(PolicyPartition Partition, string[] KeyNames)> QuotaPartitions() => Volatile.Read(ref _quotas);

    private bool TryRead<T>(ApiKey key, ApiKeyProperty<T> property, string source, out T? value)
    {
        value = default;
        if (!key.Properties.TryGetValue(property.Name, out var text))
        {
            return true;
        }

        if (property.TryParse(text, out value, out var problem))
        {
            return true;
        }

        _logger.PolicyNotReadable(SafeText.Printable(key.Name), source, property.Name, problem);
        return false;
    }

    private ApiKeyRateLimit? Narrowest(string partition, List<(string Key, ApiKeyRateLimit Limit)> declared)
    {
        if (declared.Count == 0)
        {
            return null;
        }

        var narrowest = declared.Select(d => d.Limit).Aggregate((a, b) => a.Narrowest(b));
        if (declared.Select(d => d.Limit).Distinct().Count() > 1)
        {
            ReportConflict(partition, ApiKeyPolicies.RateLimit.Name, declared.Select(d => d.Key), narrowest.ToString());
        }

        return narrowest;
    }

    private List<ApiKeyQuota> Smallest(string partition, List<(string Key, ApiKeyQuota Quota)> declared)
    {
        var smallest = new List<ApiKeyQuota>();
        foreach (var period in declared.GroupBy(d => d.Quota.Period).OrderBy(g => g.Key))
        {
            var quota = period.MinBy(d => d.Quota.Count).Quota;
            smallest.Add(quota);
            if (period.Select(d => d.Quota.Count).Distinct().Count() > 1)
            {
                ReportConflict(partition, ApiKeyPolicies.Quota.Name, period.Select(d => d.Key), quota.ToString());
            }
        }

        return smallest;
    }

    /// <summary>Reported once per owner, property and set of keys, not on every refresh.</summary>
    private void ReportConflict(string partition, string property, IEnumerable<string> keyNames, string effective)
    {
        var names = string.Join(", ", keyNames.Order(StringComparer.Ordinal).Select(SafeText.Printable));
        if (_reported.Add($"{partition}|{property}|{names}|{effective}"))
        {
            _logger.OwnerLimitsDiffer(names, SafeText.Printable(partition["owner:".Length..]), property, effective);
        }
    }

    private static PolicyPartition NewPartition(string name, ApiKeyRateLimit? rate, List<ApiKeyQuota> quotas, PolicyPartition? previous, SharedRateLimits? shared)
    {
        // A changed limit keeps what the partition already used, so editing a limit never hands out a fresh budget.
        var limiter = rate is null ? null : new RateLimiter(rate, previous?.RateLimiter?.Arrival ?? 0);
        var counters = quotas.Select(q => new QuotaCounter(q)).ToArray();
        foreach (var counter in counters)
        {
            foreach (var old in previous?.Quotas ?? [])
            {
                counter.CarryOver(old);
            }
        }

        return new PolicyPartition(name, limiter, counters) { Budget = rate is null ? null : shared?.Create(rate) };
    }
}
