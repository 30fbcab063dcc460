using FunctionsApiKey.KeyRing;
using FunctionsApiKey;

namespace FunctionApp.Tests.KeyRing;

internal static class KeyRingSnapshotExtensions
{
    /// <summary>The key with this hash, or null: the lookup the validator makes.</summary>
    public static ApiKey? FindKey(this KeyRingSnapshot ring, in ApiKeyHash hash) => ring.FindSlot(hash) is var slot and >= 0 ? ring.KeyAt(slot) : null;
}
