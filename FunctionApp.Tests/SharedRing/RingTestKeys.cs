using System.Security.Cryptography;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.KeyVault;
using FunctionsApiKey.SharedRing;

namespace FunctionApp.Tests.SharedRing;

/// <summary>Signing keys and rings for tests.</summary>
internal static class RingTestKeys
{
    public static ECDsa NewSigningKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public static RingVerifier VerifierFor(params ECDsa[] signers) =>
        new(signers.Select(s => RingKeys.TryReadPublicKey(RingKeys.PublicKeyText(s), out var key) ? key : throw new InvalidOperationException()));

    public static VaultEntry Entry(string keyName, string value, string[]? scopes = null, DateTimeOffset? notBefore = null, DateTimeOffset? expiresOn = null, bool revoked = false, bool excluded = false, DateTimeOffset? updatedOn = null, bool settled = true) =>
        new($"apikey-{keyName}", updatedOn ?? DateTimeOffset.FromUnixTimeSeconds(1_790_000_000), settled,
            ApiKey.FromValue(keyName, value) with { Scopes = [.. scopes ?? []], NotBefore = notBefore, ExpiresOn = expiresOn, IsRevoked = revoked },
            excluded);

    public static RingDocument Ring(long generation, params VaultEntry[] entries) =>
        new(generation, DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_123), "apikey-", entries);
}
