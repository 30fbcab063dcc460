using FunctionsApiKey;
using System.Security.Cryptography;
using FunctionsApiKey.KeyVault;
using FunctionsApiKey.SharedRing;

namespace FunctionApp.Tests.SharedRing;

/// <summary>Signing keys and rings for tests.</summary>
internal static class RingTestKeys
{
    /// <summary>The scope of the test vault's <c>apikey-</c> secrets, as the harness's publisher and instances have it.</summary>
    public static readonly RingScope Scope = new("myvault.vault.azure.net", "apikey-");

    public static ECDsa NewSigningKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public static RingVerifier VerifierFor(params ECDsa[] signers) =>
        new(signers.Select(s => RingKeys.TryReadPublicKey(RingKeys.PublicKeyText(s), out var key) ? key : throw new InvalidOperationException()));

    public static VaultEntry Entry(string keyName, string value, string[]? scopes = null, DateTimeOffset? notBefore = null, DateTimeOffset? expiresOn = null, bool revoked = false, bool excluded = false, DateTimeOffset? updatedOn = null, bool settled = true) =>
        new($"apikey-{keyName}", updatedOn ?? DateTimeOffset.FromUnixTimeSeconds(1_790_000_000), settled,
            ApiKey.FromValue(keyName, value) with { Scopes = [.. scopes ?? []], NotBefore = notBefore, ExpiresOn = expiresOn, IsRevoked = revoked },
            excluded);

    /// <summary>
    /// A ring of the format before rings named their vault (version 1), with no entries: what a publisher of the
    /// previous release left in storage.
    /// </summary>
    public static byte[] UnboundRing(long generation, DateTimeOffset publishedAt, string prefix, ECDsa signer)
    {
        var body = new List<byte>();
        body.AddRange("FAKR"u8.ToArray());
        body.Add(RingCodec.UnboundVersion);
        body.AddRange(RingKeys.KeyIdOf(signer));
        body.AddRange(BigEndian(generation));
        body.AddRange(BigEndian(publishedAt.ToUnixTimeMilliseconds()));
        body.Add((byte)prefix.Length);
        body.AddRange(System.Text.Encoding.ASCII.GetBytes(prefix));
        body.AddRange(new byte[4]);
        var signed = body.ToArray();
        return [.. signed, .. signer.SignData(signed, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)];
    }

    private static byte[] BigEndian(long value)
    {
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    public static RingDocument Ring(long generation, params VaultEntry[] entries) =>
        new(generation, DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_123), Scope, entries);
}
