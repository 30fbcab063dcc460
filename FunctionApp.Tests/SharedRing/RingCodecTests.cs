using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Security.Cryptography;
using FunctionApp.Testing;
using FunctionApp.Tests.TestDoubles;
using FunctionsApiKey;
using FunctionsApiKey.SharedRing;

namespace FunctionApp.Tests.SharedRing;

/// <summary>The ring and heartbeat blobs: read back exactly as written, and refused whole for every kind of damage.</summary>
public sealed class RingCodecTests : IDisposable
{
    private readonly ECDsa _signer = RingTestKeys.NewSigningKey();
    private readonly RingVerifier _verifier;
    private readonly string _value = TestKeys.NewValue();

    public RingCodecTests() => _verifier = RingTestKeys.VerifierFor(_signer);

    public void Dispose()
    {
        _verifier.Dispose();
        _signer.Dispose();
    }

    [Fact]
    public void ADeclaredPropertyTravelsInAnExtensionFieldWithoutANewFormatVersion()
    {
        var ring = RingWithProperty(TestKeyProperties.Tier, "silver");

        var blob = RingCodec.WriteRing(ring, _signer, [TestKeyProperties.Tier]);

        Assert.Equal(RingCodec.Version, blob[4]);
        Assert.Equal(RingRefusal.None, RingCodec.TryReadRing(blob, _verifier, out var read, [TestKeyProperties.Tier]));
        Assert.Equal(ring.Entries, read!.Entries);
        Assert.True(read.Keys.Single(k => k.Name == "partner").TryGetProperty(TestKeyProperties.Tier, out var tier));
        Assert.Equal("silver", tier);
    }

    [Fact]
    public void AnUnknownNonCriticalFieldIsSkippedAndTheKeyServed()
    {
        var blob = RingCodec.WriteRing(RingWithProperty(TestKeyProperties.Tier, "gold"), _signer, [TestKeyProperties.Tier]);

        Assert.Equal(RingRefusal.None, RingCodec.TryReadRing(blob, _verifier, out var read));

        Assert.Equal(["partner", "other"], read!.Keys.Select(k => k.Name));
        Assert.Empty(read.Keys.Single(k => k.Name == "partner").Properties);
    }

    [Fact]
    public void AnUnknownCriticalFieldLeavesThatKeyOutAndServesTheRest()
    {
        var blob = RingCodec.WriteRing(RingWithProperty(TestKeyProperties.Region, "EU"), _signer, [TestKeyProperties.Region]);

        Assert.Equal(RingRefusal.None, RingCodec.TryReadRing(blob, _verifier, out var read));

        Assert.Equal(["other"], read!.Keys.Select(k => k.Name));
        Assert.True(read.Entries.Single(e => e.Key.Name == "partner").Excluded);
    }

    [Fact]
    public void AFieldTheReadersDeclarationRefusesLeavesACriticalKeyOut()
    {
        var blob = RingCodec.WriteRing(RingWithProperty(TestKeyProperties.Region, "Mars"), _signer, [TestKeyProperties.Region]);

        Assert.Equal(RingRefusal.None, RingCodec.TryReadRing(blob, _verifier, out var read, [TestKeyProperties.Region]));

        Assert.Equal(["other"], read!.Keys.Select(k => k.Name));
    }

    [Fact]
    public void ARingReadsBackAsWrittenWithEveryKindOfEntry()
    {
        var ring = RingTestKeys.Ring(
            42,
            RingTestKeys.Entry("plain", _value),
            RingTestKeys.Entry("limited", TestKeys.NewValue(), scopes: ["reports", "SecureEndpoint"], notBefore: DateTimeOffset.FromUnixTimeSeconds(1_790_000_000), expiresOn: DateTimeOffset.FromUnixTimeSeconds(1_800_000_000)),
            RingTestKeys.Entry("revoked", TestKeys.NewValue(), revoked: true, settled: false),
            RingTestKeys.Entry("bad-tag", TestKeys.NewValue(), excluded: true, notBefore: DateTimeOffset.FromUnixTimeSeconds(5), expiresOn: DateTimeOffset.FromUnixTimeSeconds(5)),
            RingTestKeys.Entry("never-updated", TestKeys.NewValue()) with { UpdatedOn = null });

        Assert.Equal(RingRefusal.None, RingCodec.TryReadRing(RingCodec.WriteRing(ring, _signer), _verifier, out var read));

        Assert.Equal((42L, ring.PublishedAt, RingTestKeys.Scope), (read!.Generation, read.PublishedAt, read.Scope));
        Assert.Equal(ring.Entries, read.Entries);
        Assert.True(TestKeys.HasValue(read.Entries[0].Key, _value));
        Assert.Equal(["plain", "limited", "revoked", "never-updated"], read.Keys.Select(k => k.Name));
    }

    [Fact]
    public void AHeartbeatReadsBackAsWritten()
    {
        var heartbeat = new RingHeartbeat(42, RingCodec.Digest("a ring"u8), DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_456));

        Assert.Equal(RingRefusal.None, RingCodec.TryReadHeartbeat(RingCodec.WriteHeartbeat(heartbeat, _signer), _verifier, out var read));
        Assert.Equal(heartbeat, read);
    }

    [Fact]
    public void ARingSignedByAKeyNotConfiguredIsRefusedEvenWhenWellFormed()
    {
        using var stranger = RingTestKeys.NewSigningKey();

        var blob = RingCodec.WriteRing(RingTestKeys.Ring(1, RingTestKeys.Entry("planted", _value)), stranger);

        Assert.Equal(RingRefusal.UnknownSigningKey, RingCodec.TryReadRing(blob, _verifier, out var read));
        Assert.Null(read);
    }

    [Fact]
    public void ARingWhoseKeyIdIsForgedToAKnownKeyFailsItsSignature()
    {
        using var stranger = RingTestKeys.NewSigningKey();
        var blob = RingCodec.WriteRing(RingTestKeys.Ring(1, RingTestKeys.Entry("planted", _value)), stranger);
        RingKeys.KeyIdOf(_signer).CopyTo(blob.AsSpan(5));

        Assert.Equal(RingRefusal.BadSignature, RingCodec.TryReadRing(blob, _verifier, out _));
    }

    [Fact]
    public void EveryTruncationOfARingIsRefused()
    {
        var blob = RingCodec.WriteRing(RingTestKeys.Ring(7, RingTestKeys.Entry("a", _value), RingTestKeys.Entry("b", TestKeys.NewValue(), scopes: ["x"])), _signer);

        for (var length = 0; length < blob.Length; length++)
        {
            var refusal = RingCodec.TryReadRing(blob.AsSpan(0, length), _verifier, out var read);
            Assert.NotEqual(RingRefusal.None, refusal);
            Assert.Null(read);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x46, 0x41, 0x4B }, "Truncated")]
    [InlineData(new byte[] { 0x7B, 0x22, 0x6B, 0x65, 0x79, 0x73, 0x22 }, "NotARing")]
    [InlineData(new byte[] { 0x46, 0x41, 0x4B, 0x48, 1 }, "NotARing")]
    public void BlobsThatAreNotRingsAreRefusedForWhatTheyAre(byte[] blob, string expected) =>
        Assert.Equal(expected, RingCodec.TryReadRing(blob, _verifier, out _).ToString());

    [Fact]
    public void AnEmptyBlobAndAnUnknownVersionAreRefused()
    {
        var blob = RingCodec.WriteRing(RingTestKeys.Ring(1, RingTestKeys.Entry("a", _value)), _signer);
        blob[4] = 9;

        Assert.Equal(RingRefusal.Empty, RingCodec.TryReadRing([], _verifier, out _));
        Assert.Equal(RingRefusal.UnknownVersion, RingCodec.TryReadRing(blob, _verifier, out _));
    }

    [Fact]
    public void ChangingAnyByteOfASignedRingIsCaught()
    {
        var blob = RingCodec.WriteRing(RingTestKeys.Ring(9, RingTestKeys.Entry("a", _value, scopes: ["reports"]), RingTestKeys.Entry("b", TestKeys.NewValue())), _signer);

        for (var i = 0; i < blob.Length; i++)
        {
            var tampered = (byte[])blob.Clone();
            tampered[i] ^= 0x01;
            Assert.NotEqual(RingRefusal.None, RingCodec.TryReadRing(tampered, _verifier, out _));
        }
    }

    [Fact]
    public void ASignedBodyWithAMalformedEntryIsRefusedWhole()
    {
        var good = RingCodec.WriteRing(RingTestKeys.Ring(3, RingTestKeys.Entry("a", _value), RingTestKeys.Entry("b", TestKeys.NewValue())), _signer);

        // The entry count says three where there are two: re-signed, as a compromised publisher might.
        var body = good[..^64];
        var countAt = 4 + 1 + 8 + 8 + 8 + 1 + RingTestKeys.Scope.Vault.Length + 1 + "apikey-".Length;
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(countAt), 3);
        var resigned = body.Concat(_signer.SignData(body, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)).ToArray();

        Assert.Equal(RingRefusal.MalformedEntry, RingCodec.TryReadRing(resigned, _verifier, out var read));
        Assert.Null(read);
    }

    [Fact]
    public void TwoEntriesForOneSecretInAnyLetterCaseAreMalformed()
    {
        var ring = RingTestKeys.Ring(3, RingTestKeys.Entry("a", _value), RingTestKeys.Entry("a", TestKeys.NewValue()) with { SecretName = "APIKEY-A" });

        Assert.Equal(RingRefusal.MalformedEntry, RingCodec.TryReadRing(RingCodec.WriteRing(ring, _signer), _verifier, out _));
    }

    [Fact]
    public void ARingOfTheFormatBeforeIsRefusedButItsSignedGenerationIsRead()
    {
        var unbound = RingTestKeys.UnboundRing(1_795_000_000_999, DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_999), "apikey-", _signer);
        using var stranger = RingTestKeys.NewSigningKey();

        Assert.Equal(RingRefusal.UnknownVersion, RingCodec.TryReadRing(unbound, _verifier, out _));
        Assert.True(RingCodec.TryReadSignedGeneration(unbound, _verifier, out var generation));
        Assert.Equal(1_795_000_000_999, generation);
        Assert.False(RingCodec.TryReadSignedGeneration(RingTestKeys.UnboundRing(long.MaxValue, DateTimeOffset.UnixEpoch, "apikey-", stranger), _verifier, out _));
        Assert.False(RingCodec.TryReadSignedGeneration([.. unbound[..^1], (byte)(unbound[^1] ^ 1)], _verifier, out _));
    }

    [Fact]
    public void AHeartbeatNamesTheExactRingItConfirms()
    {
        var ring = RingCodec.WriteRing(RingTestKeys.Ring(5, RingTestKeys.Entry("a", _value)), _signer);
        var otherPrefix = RingCodec.WriteRing(RingTestKeys.Ring(5) with { Scope = RingTestKeys.Scope with { SecretPrefix = "other-" } }, _signer);

        Assert.NotEqual(RingCodec.Digest(ring), RingCodec.Digest(otherPrefix));
        var heartbeat = RingCodec.WriteHeartbeat(new RingHeartbeat(5, RingCodec.Digest(ring), DateTimeOffset.UnixEpoch), _signer);
        Assert.Equal(RingCodec.HeartbeatSize, heartbeat.Length);
        Assert.Equal(RingRefusal.None, RingCodec.TryReadHeartbeat(heartbeat, _verifier, out var read));
        Assert.Equal(RingCodec.Digest(ring), read!.RingDigest);
    }

    [Fact]
    public void AHeartbeatIsNotARingAndARingIsNotAHeartbeat()
    {
        var ring = RingCodec.WriteRing(RingTestKeys.Ring(1, RingTestKeys.Entry("a", _value)), _signer);
        var heartbeat = RingCodec.WriteHeartbeat(new RingHeartbeat(1, RingCodec.Digest(ring), DateTimeOffset.UnixEpoch), _signer);

        Assert.Equal(RingRefusal.NotARing, RingCodec.TryReadRing(heartbeat, _verifier, out _));
        Assert.NotEqual(RingRefusal.None, RingCodec.TryReadHeartbeat(ring, _verifier, out _));
    }

    [Fact]
    public void AHundredThousandKeysTakeAboutSeventyBytesEach()
    {
        var entries = Enumerable.Range(0, 100_000).Select(i => RingTestKeys.Entry($"partner-{i:D6}", $"key-{i:D6}-{_value}")).ToArray();

        var blob = RingCodec.WriteRing(RingTestKeys.Ring(1, entries), _signer);

        Assert.InRange(blob.Length / 100_000.0, 60, 80);
        Assert.Equal(RingRefusal.None, RingCodec.TryReadRing(blob, _verifier, out var read));
        Assert.Equal(100_000, read!.Entries.Count);
    }

    private RingDocument RingWithProperty(ApiKeyProperty property, string text)
    {
        var partner = RingTestKeys.Entry("partner", _value);
        partner = partner with { Key = partner.Key with { Properties = ImmutableDictionary<string, string>.Empty.Add(property.Name, text) } };
        return RingTestKeys.Ring(7, partner, RingTestKeys.Entry("other", TestKeys.NewValue()));
    }
}
