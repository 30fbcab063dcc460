using System.Security.Cryptography;

namespace FunctionsApiKey.SharedRing;

/// <summary>The public keys an instance accepts rings from, by key id. Thread-safe: ECDSA verification holds no state.</summary>
internal sealed class RingVerifier : IDisposable
{
    private readonly Dictionary<ulong, ECDsa> _keys = [];

    public RingVerifier(IEnumerable<ECDsa> publicKeys)
    {
        foreach (var key in publicKeys)
        {
            _keys[Id(RingKeys.KeyIdOf(key))] = key;
        }
    }

    /// <summary>The verifier of the keys <see cref="SharedRingOptions.RingVerificationKeys"/> lists, which its validator has checked.</summary>
    public static RingVerifier Of(SharedRingOptions options) =>
        new(options.VerificationKeyTexts().Select(k => RingKeys.TryReadPublicKey(k, out var key) ? key : throw new InvalidOperationException("ApiKeys:RingVerificationKeys holds a key that is not one.")));

    public bool Knows(ReadOnlySpan<byte> keyId) => _keys.ContainsKey(Id(keyId));

    /// <summary>Whether <paramref name="signature"/> is the signature of <paramref name="data"/> by the key <paramref name="keyId"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> keyId, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        _keys.TryGetValue(Id(keyId), out var key) && key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }

    private static ulong Id(ReadOnlySpan<byte> keyId) => System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(keyId);
}
