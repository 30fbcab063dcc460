namespace FunctionsApiKey.KeyRing;

/// <summary>
/// The gate's decision without a running app, for a key tool's <c>verify</c> or a test of a key store of your own that
/// must decide exactly as the gate does: the same check of the presented value, the same lookup (keys that share a
/// value are left out, as the gate leaves them out) and the same order of checks. Each call builds a ring from
/// <c>keys</c>, so it is not for the request path.
/// </summary>
public static class ApiKeyCheck
{
    /// <summary>
    /// The check of a presented value before any lookup: <see cref="ApiKeyOutcome.Missing"/>,
    /// <see cref="ApiKeyOutcome.Malformed"/>, or <see cref="ApiKeyOutcome.Allowed"/> to go on.
    /// </summary>
    /// <param name="presented">The header's value, or null when it is absent.</param>
    /// <param name="keyPrefix">The prefix of issued keys (<see cref="ApiKeyOptions.KeyPrefix"/>).</param>
    public static ApiKeyOutcome CheckPresented(string? presented, string keyPrefix) => PresentedKey.Check(presented, 1, keyPrefix);

    /// <summary>The key among <paramref name="keys"/> whose value <paramref name="presented"/> is, or null.</summary>
    /// <param name="presented">A value that passed <see cref="CheckPresented"/>.</param>
    /// <param name="keys">The keys as a source loads them.</param>
    public static ApiKey? Find(string presented, IEnumerable<ApiKey> keys)
    {
        var ring = KeyRingSnapshot.Create(keys, nameof(ApiKeyCheck), DateTimeOffset.MinValue, out _);
        var slot = ring.FindSlot(ApiKeyHash.Compute(presented));
        return slot < 0 ? null : ring.KeyAt(slot);
    }

    /// <summary>Decides on <paramref name="presented"/> as the gate does for a function that requires <paramref name="requiredScope"/>.</summary>
    /// <param name="presented">The header's value, or null when it is absent.</param>
    /// <param name="keys">The keys as a source loads them.</param>
    /// <param name="requiredScope">The function's scope: its name, or its <see cref="RequireScopeAttribute"/>.</param>
    /// <param name="now">The time to check the keys' validity at.</param>
    /// <param name="keyPrefix">The prefix of issued keys (<see cref="ApiKeyOptions.KeyPrefix"/>).</param>
    public static ApiKeyDecision Decide(string? presented, IEnumerable<ApiKey> keys, string requiredScope, DateTimeOffset now, string keyPrefix)
    {
        var form = CheckPresented(presented, keyPrefix);
        if (form != ApiKeyOutcome.Allowed)
        {
            return new(form);
        }

        return ApiKeyValidator.Decide(presented, KeyRingSnapshot.Create(keys, nameof(ApiKeyCheck), now, out _), requiredScope, now);
    }
}
