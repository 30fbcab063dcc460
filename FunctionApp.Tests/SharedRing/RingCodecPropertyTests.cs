using System.Security.Cryptography;
using CsCheck;
using FunctionApp.Testing;
using FunctionsApiKey.KeyVault;
using FunctionsApiKey.SharedRing;

namespace FunctionApp.Tests.SharedRing;

/// <summary>
/// The ring parser against generated and mutated documents (CsCheck; over 100,000 in all): whatever a blob holds, reading
/// it never throws, a tampered ring is never accepted, and every generated ring reads back as written.
/// </summary>
public sealed class RingCodecPropertyTests : IDisposable
{
    private readonly ECDsa _signer = RingTestKeys.NewSigningKey();
    private readonly RingVerifier _verifier;
    private readonly byte[] _validRing;

    public RingCodecPropertyTests()
    {
        _verifier = RingTestKeys.VerifierFor(_signer);
        _validRing = RingCodec.WriteRing(RingTestKeys.Ring(5, RingTestKeys.Entry("a", TestKeys.NewValue(), scopes: ["reports", "SecureEndpoint"]), RingTestKeys.Entry("b", TestKeys.NewValue(), expiresOn: DateTimeOffset.FromUnixTimeSeconds(1_900_000_000))), _signer);
    }

    public void Dispose()
    {
        _verifier.Dispose();
        _signer.Dispose();
    }

    [Fact]
    public void ArbitraryBytesNeverThrowAndAreNeverAccepted() =>
        Gen.Byte.Array[0, 400].Sample(blob =>
        {
            Assert.NotEqual(RingRefusal.None, RingCodec.TryReadRing(blob, _verifier, out _));
            Assert.NotEqual(RingRefusal.None, RingCodec.TryReadHeartbeat(blob, _verifier, out _));
        }, iter: 30_000);

    [Fact]
    public void BytesBehindAValidHeaderNeverThrowAndAreNeverAccepted() =>
        Gen.Byte.Array[0, 400].Sample(tail =>
        {
            // Past the magic, version and a known key id, so the signature check and its lengths are exercised.
            var blob = _validRing[..13].Concat(tail).ToArray();
            Assert.NotEqual(RingRefusal.None, RingCodec.TryReadRing(blob, _verifier, out _));
        }, iter: 20_000);

    [Fact]
    public void TheBodyParserNeverThrowsOnAnyInput()
    {
        // The body between the 13-byte header and the 64-byte signature. Random bytes alone almost never get past its
        // header's time check, so the samples start from this valid body: mutated, or its first bytes and a random tail.
        var body = _validRing[13..^64];
        Assert.True(RingCodec.TryParseRingBody(body, out _));

        Gen.Select(Gen.Int[0, 6], Gen.Int[0, body.Length - 1], Gen.Byte, Gen.Int[1, 16], Gen.Byte.Array[0, 200]).Sample(m =>
        {
            var (kind, at, value, length, tail) = m;
            var input = kind == 6 ? [.. body[..at], .. tail] : Mutate(body, kind, at, value, length);

            // Whatever it answers, it answers: an exception would fail the sample.
            _ = RingCodec.TryParseRingBody(input, out _);
        }, iter: 30_000);
    }

    [Fact]
    public void NoMutationOfASignedRingIsAccepted() =>
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, _validRing.Length - 1], Gen.Byte, Gen.Int[1, 16]).Sample(m =>
        {
            var (kind, at, value, length) = m;
            var mutated = Mutate(_validRing, kind, at, value, length);
            var refusal = RingCodec.TryReadRing(mutated, _verifier, out var ring);
            if (mutated.AsSpan().SequenceEqual(_validRing))
            {
                Assert.Equal(RingRefusal.None, refusal);
            }
            else
            {
                Assert.NotEqual(RingRefusal.None, refusal);
                Assert.Null(ring);
            }
        }, iter: 20_000);

    [Fact]
    public void EveryGeneratedRingReadsBackAsWritten() =>
        GenRing.Sample(ring =>
        {
            Assert.Equal(RingRefusal.None, RingCodec.TryReadRing(RingCodec.WriteRing(ring, _signer), _verifier, out var read));
            Assert.Equal(ring.Generation, read!.Generation);
            Assert.Equal(ring.Entries, read.Entries);
        }, iter: 2_000);

    private static byte[] Mutate(byte[] ring, int kind, int at, byte value, int length) => kind switch
    {
        0 => Set(ring, at, value),
        1 => [.. ring[..at], value, .. ring[at..]],
        2 => [.. ring[..at], .. ring[Math.Min(ring.Length, at + length)..]],
        3 => ring[..at],
        4 => [.. ring, .. Enumerable.Repeat(value, length)],
        _ => Swap(ring, at, (at + length) % ring.Length),
    };

    private static byte[] Set(byte[] ring, int at, byte value)
    {
        var copy = (byte[])ring.Clone();
        copy[at] = value;
        return copy;
    }

    private static byte[] Swap(byte[] ring, int a, int b)
    {
        var copy = (byte[])ring.Clone();
        (copy[a], copy[b]) = (copy[b], copy[a]);
        return copy;
    }

    private static readonly Gen<string> GenName = Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-"].Array[1, 20].Select(c => new string(c));

    private static readonly Gen<DateTimeOffset?> GenTime = Gen.Long[0, 4_000_000_000].Select(Gen.Bool, (s, present) => present ? DateTimeOffset.FromUnixTimeSeconds(s) : (DateTimeOffset?)null);

    private static readonly Gen<VaultEntry> GenEntry = Gen.Select(GenName, Gen.Byte.Array[32], GenName.Array[0, 4], GenTime, GenTime, GenTime, Gen.Int[0, 7]).Select(e =>
    {
        var (name, hash, scopes, updated, notBefore, expiresOn, flags) = e;
        var excluded = (flags & 2) != 0 || notBefore >= expiresOn;
        var key = FunctionsApiKey.ApiKey.FromHash(name, hash) with
        {
            Scopes = FunctionsApiKey.ApiKey.ParseScopes(string.Join(' ', scopes)),
            NotBefore = notBefore,
            ExpiresOn = expiresOn,
            IsRevoked = (flags & 4) != 0,
        };
        return new VaultEntry("apikey-" + name, updated, (flags & 1) != 0, key, excluded);
    });

    private static readonly Gen<RingDocument> GenRing = Gen.Select(Gen.Long[1, long.MaxValue], GenEntry.Array[0, 12]).Select(r =>
        new RingDocument(r.Item1, DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_000), RingTestKeys.Scope, [.. r.Item2.DistinctBy(e => e.SecretName, StringComparer.OrdinalIgnoreCase)]));
}
