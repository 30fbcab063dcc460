using FunctionsApiKey.Policies;
using FunctionsApiKey.Usage;

namespace FunctionsApiKey.KeyRing;

/// <summary>
/// Decides on a presented key that <see cref="ApiKeyText"/> found well formed: no I/O, no Functions types and no
/// allocation, so it can be tested and benchmarked on its own. Its side effects are in the ring's cells: an allowed
/// key's minute of use, and a count of each request that presented a known key, by outcome.
/// </summary>
internal static class ApiKeyValidator
{
    /// <summary>
    /// Looks the key up in <paramref name="ring"/> and checks its lifecycle at <paramref name="now"/> and its scopes
    /// against <paramref name="requiredScope"/>.
    /// </summary>
    public static ApiKeyDecision Decide(ReadOnlySpan<char> presentedKey, KeyRingSnapshot ring, string requiredScope, DateTimeOffset now)
    {
        var unknown = default(UnknownAddress);
        return Decide(presentedKey, ring, requiredScope, now, ref unknown);
    }

    /// <summary>
    /// As above, then applies the key's policies (<see cref="ApiKeyPolicies"/>): its networks against the caller's
    /// address, read from <paramref name="client"/> only for a key that has networks, then its rate limit and quota.
    /// </summary>
    public static ApiKeyDecision Decide<TClient>(ReadOnlySpan<char> presentedKey, KeyRingSnapshot ring, string requiredScope, DateTimeOffset now, ref TClient client)
        where TClient : struct, IClientAddress
    {
        var slot = ring.FindSlot(ApiKeyHash.Compute(presentedKey));
        if (slot < 0)
        {
            return new(ApiKeyOutcome.Unknown);
        }

        var decision = Judge(slot, ring, requiredScope, now, ref client);
        ring.CountRequest(slot, decision.Outcome switch
        {
            ApiKeyOutcome.Allowed => UsageKind.Allowed,
            ApiKeyOutcome.RateLimited or ApiKeyOutcome.QuotaExceeded => UsageKind.OverLimit,
            _ => UsageKind.Denied,
        }, now);
        return decision;
    }

    private static ApiKeyDecision Judge<TClient>(int slot, KeyRingSnapshot ring, string requiredScope, DateTimeOffset now, ref TClient client)
        where TClient : struct, IClientAddress
    {
        var key = ring.KeyAt(slot);

        if (key.IsRevoked)
        {
            return new(ApiKeyOutcome.Revoked, key);
        }

        if (key.NotBefore is { } notBefore && now < notBefore)
        {
            return new(ApiKeyOutcome.NotYetValid, key);
        }

        if (key.ExpiresOn is { } expiresOn && now >= expiresOn)
        {
            return new(ApiKeyOutcome.Expired, key);
        }

        if (!key.AllowsScope(requiredScope))
        {
            return new(ApiKeyOutcome.ScopeDenied, key);
        }

        if (ring.PolicyAt(slot) is { } policy && policy.Admit(ref client, now) is { IsAllowed: false } verdict)
        {
            var outcome = verdict.Refusal switch
            {
                PolicyRefusal.RateLimited => ApiKeyOutcome.RateLimited,
                PolicyRefusal.QuotaExceeded => ApiKeyOutcome.QuotaExceeded,
                _ => ApiKeyOutcome.AddressDenied,
            };
            return new(outcome, key) { Verdict = verdict };
        }

        ring.RecordUse(slot, now);
        return new(ApiKeyOutcome.Allowed, key);
    }
}

/// <summary>A caller whose address is not known: a key limited to networks is refused.</summary>
internal readonly struct UnknownAddress : IClientAddress
{
    public bool TryGet([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out System.Net.IPAddress? address)
    {
        address = null;
        return false;
    }
}
