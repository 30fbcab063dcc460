using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using FunctionsApiKey.KeyVault;

namespace FunctionsApiKey.SharedRing;

/// <summary>
/// The ring and heartbeat blobs, byte for byte: a compact binary form (about 70 bytes a key) that is signed as a
/// whole and read all or nothing. Reading never throws: whatever a blob holds, the answer is a document or a
/// <see cref="RingRefusal"/>. The signature is checked before a single entry is parsed.
/// </summary>
/// <remarks>
/// Ring, big-endian: <c>"FAKR"</c>, version (1 byte), signing key id (8), generation (int64), published at (int64,
/// Unix ms), the vault (length byte + UTF-8 host name), secret prefix (length byte + UTF-8), entry count (int32), the
/// entries, then the P-256 signature (64) of every byte before it. The vault and the prefix say which secrets the ring
/// is a copy of (its <see cref="RingScope"/>), so an app sharing the vault or the signing key cannot pass its ring off
/// as another's. An entry: flags (1: settled, 2: excluded, 4: revoked, 8/16/32: updated/not-before/expiry
/// present), secret name (length byte + ASCII), SHA-256 of the value (32), the present times (int64 Unix seconds
/// each), scope count (1 byte) and each scope (length byte + UTF-8), then, with flag 64, extension fields (see
/// <see cref="TryReadExtensions"/> and docs/shared-ring.md).
/// Heartbeat: <c>"FAKH"</c>, version, key id, generation, the SHA-256 of the whole ring blob it confirms (32), checked
/// at (int64, Unix ms), signature: it confirms that one ring, not any ring of its generation.
/// Version 1 (until rings were bound to their app) had no vault in the ring and no digest in the heartbeat; it is
/// refused, and only its signed generation is read, by the publisher, so the next generation is above it.
/// </remarks>
internal static class RingCodec
{
    public const byte Version = 2;

    /// <summary>The format before rings named their vault; its generation is still read, so generations keep growing.</summary>
    public const byte UnboundVersion = 1;

    /// <summary>Bytes of a ring's digest in a heartbeat: its SHA-256.</summary>
    public const int DigestSize = 32;

    private static readonly byte[] RingMagic = "FAKR"u8.ToArray();
    private static readonly byte[] HeartbeatMagic = "FAKH"u8.ToArray();

    /// <summary>The most keys a ring supports (docs/shared-ring.md).</summary>
    public const int MaxKeys = 100_000;

    /// <summary>
    /// What a supported entry may take: a 127-character secret name, all three times and about 70 bytes of scopes
    /// (a typical entry takes about 70 bytes in all).
    /// </summary>
    public const int MaxEntrySize = 256;

    /// <summary>The largest ring an instance reads, 25.6 MB: <see cref="MaxKeys"/> entries of <see cref="MaxEntrySize"/>, plus the header.</summary>
    public const int MaxRingSize = (MaxKeys * MaxEntrySize) + 1024;

    /// <summary>A heartbeat's exact size, and the most of one an instance reads.</summary>
    public const int HeartbeatSize = HeaderSize + 8 + DigestSize + 8 + RingKeys.SignatureSize;

    private const int HeaderSize = 4 + 1 + RingKeys.KeyIdSize;
    private const int MinEntrySize = 1 + 2 + 32 + 1;
    private const long MinUnixSeconds = -62_135_596_800;
    private const long MaxUnixSeconds = 253_402_300_799;

    [Flags]
    private enum EntryFlags : byte
    {
        None = 0,
        Settled = 1,
        Excluded = 2,
        Revoked = 4,
        HasUpdated = 8,
        HasNotBefore = 16,
        HasExpiresOn = 32,
        HasExtensions = 64,
    }

    /// <summary>An extension field's flags: a reader that does not know a critical field leaves the key out.</summary>
    private const byte CriticalField = 1;

    private const EntryFlags KnownFlags = EntryFlags.Settled | EntryFlags.Excluded | EntryFlags.Revoked | EntryFlags.HasUpdated | EntryFlags.HasNotBefore | EntryFlags.HasExpiresOn | EntryFlags.HasExtensions;

    /// <summary>Writes a ring; each key's declared properties go in extension fields, critical as <paramref name="properties"/> declares them (critical when undeclared).</summary>
    public static byte[] WriteRing(RingDocument ring, ECDsa signer, IReadOnlyCollection<ApiKeyProperty>? properties = null)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + (ring.Entries.Count * 80));
        WriteHeader(buffer, RingMagic, signer);
        WriteInt64(buffer, ring.Generation);
        WriteInt64(buffer, ring.PublishedAt.ToUnixTimeMilliseconds());
        WriteText(buffer, ring.Scope.Vault);
        WriteText(buffer, ring.Scope.SecretPrefix);
        WriteInt32(buffer, ring.Entries.Count);
        foreach (var entry in ring.Entries)
        {
            WriteEntry(buffer, entry, properties ?? []);
        }

        return Sign(buffer, signer);
    }

    public static byte[] WriteHeartbeat(RingHeartbeat heartbeat, ECDsa signer)
    {
        var buffer = new ArrayBufferWriter<byte>(HeartbeatSize);
        WriteHeader(buffer, HeartbeatMagic, signer);
        WriteInt64(buffer, heartbeat.Generation);
        buffer.Write(Convert.FromHexString(heartbeat.RingDigest));
        WriteInt64(buffer, heartbeat.CheckedAt.ToUnixTimeMilliseconds());
        return Sign(buffer, signer);
    }

    /// <summary>Reads a ring, knowing the declared <paramref name="properties"/>: an entry with a critical extension field it does not know is read as excluded.</summary>
    public static RingRefusal TryReadRing(ReadOnlySpan<byte> blob, RingVerifier verifier, out RingDocument? ring, IReadOnlyCollection<ApiKeyProperty>? properties = null)
    {
        ring = null;
        var refusal = CheckEnvelope(blob, RingMagic, verifier, Version, out var body);
        if (refusal != RingRefusal.None)
        {
            return refusal;
        }

        return TryParseRingBody(body, out ring, properties) ? RingRefusal.None : RingRefusal.MalformedEntry;
    }

    public static RingRefusal TryReadHeartbeat(ReadOnlySpan<byte> blob, RingVerifier verifier, out RingHeartbeat? heartbeat)
    {
        heartbeat = null;
        if (blob.Length > HeartbeatSize)
        {
            return RingRefusal.MalformedEntry;
        }

        var refusal = CheckEnvelope(blob, HeartbeatMagic, verifier, Version, out var body);
        if (refusal != RingRefusal.None)
        {
            return refusal;
        }

        var reader = new Reader(body);
        Span<byte> digest = stackalloc byte[DigestSize];
        if (!reader.TryInt64(out var generation) || !reader.TryCopy(digest) || !reader.TryInt64(out var checkedAt) || !reader.AtEnd || !TryUnixMilliseconds(checkedAt, out var checkedAtTime))
        {
            return RingRefusal.MalformedEntry;
        }

        heartbeat = new RingHeartbeat(generation, Convert.ToHexString(digest), checkedAtTime);
        return RingRefusal.None;
    }

    /// <summary>What a heartbeat names a ring by: the SHA-256 of the ring blob, as hex.</summary>
    public static string Digest(ReadOnlySpan<byte> ring) => Convert.ToHexString(SHA256.HashData(ring));

    /// <summary>
    /// The generation of a ring signed by a configured key, in this format or the one before it, whatever else the
    /// ring holds: the publisher writes above it, so generations keep growing across a format change, and over a ring
    /// it refuses as another app's.
    /// </summary>
    public static bool TryReadSignedGeneration(ReadOnlySpan<byte> blob, RingVerifier verifier, out long generation)
    {
        generation = 0;
        if (blob.Length < HeaderSize || blob[RingMagic.Length] is not (Version or UnboundVersion)
            || CheckEnvelope(blob, RingMagic, verifier, blob[RingMagic.Length], out var body) != RingRefusal.None)
        {
            return false;
        }

        var reader = new Reader(body);
        return reader.TryInt64(out generation);
    }

    /// <summary>
    /// The ring body after the header, parsed without any signature check: what <see cref="TryReadRing"/> does once the
    /// signature holds. Internal so the fuzz tests can reach the parser with inputs no signature would let through.
    /// </summary>
    internal static bool TryParseRingBody(ReadOnlySpan<byte> body, out RingDocument? ring, IReadOnlyCollection<ApiKeyProperty>? properties = null)
    {
        ring = null;
        var reader = new Reader(body);
        if (!reader.TryInt64(out var generation) || !reader.TryInt64(out var publishedAtMs) || !TryUnixMilliseconds(publishedAtMs, out var publishedAt)
            || !reader.TryText(out var vault) || vault.Length == 0
            || !reader.TryText(out var prefix) || prefix.Length == 0 || !IsSecretName(prefix)
            || !reader.TryInt32(out var count) || count < 0 || count > reader.Remaining / MinEntrySize)
        {
            return false;
        }

        var entries = new List<VaultEntry>(count);
        var names = new HashSet<string>(count, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < count; i++)
        {
            if (!TryReadEntry(ref reader, prefix, properties ?? [], out var entry) || !names.Add(entry.SecretName))
            {
                return false;
            }

            entries.Add(entry);
        }

        if (!reader.AtEnd)
        {
            return false;
        }

        ring = new RingDocument(generation, publishedAt, new RingScope(vault, prefix), entries);
        return true;
    }

    private static RingRefusal CheckEnvelope(ReadOnlySpan<byte> blob, ReadOnlySpan<byte> magic, RingVerifier verifier, byte version, out ReadOnlySpan<byte> body)
    {
        body = default;
        if (blob.IsEmpty)
        {
            return RingRefusal.Empty;
        }

        if (blob.Length < magic.Length)
        {
            return magic.StartsWith(blob) ? RingRefusal.Truncated : RingRefusal.NotARing;
        }

        if (!blob.StartsWith(magic))
        {
            return RingRefusal.NotARing;
        }

        if (blob.Length < HeaderSize)
        {
            return RingRefusal.Truncated;
        }

        if (blob[magic.Length] != version)
        {
            return RingRefusal.UnknownVersion;
        }

        var keyId = blob.Slice(magic.Length + 1, RingKeys.KeyIdSize);
        if (!verifier.Knows(keyId))
        {
            return RingRefusal.UnknownSigningKey;
        }

        if (blob.Length < HeaderSize + RingKeys.SignatureSize)
        {
            return RingRefusal.Truncated;
        }

        var signed = blob[..^RingKeys.SignatureSize];
        if (!verifier.Verify(keyId, signed, blob[^RingKeys.SignatureSize..]))
        {
            return RingRefusal.BadSignature;
        }

        body = signed[HeaderSize..];
        return RingRefusal.None;
    }

    private static bool TryReadEntry(ref Reader reader, string prefix, IReadOnlyCollection<ApiKeyProperty> declared, out VaultEntry entry)
    {
        entry = null!;
        Span<byte> hash = stackalloc byte[32];
        if (!reader.TryByte(out var flagByte) || ((EntryFlags)flagByte & ~KnownFlags) != 0 || !reader.TryText(out var secretName)
            || secretName.Length <= prefix.Length || !secretName.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || !IsSecretName(secretName)
            || !reader.TryCopy(hash))
        {
            return false;
        }

        var flags = (EntryFlags)flagByte;
        DateTimeOffset? updated = null, notBefore = null, expiresOn = null;
        if ((flags.HasFlag(EntryFlags.HasUpdated) && !reader.TryTime(out updated))
            || (flags.HasFlag(EntryFlags.HasNotBefore) && !reader.TryTime(out notBefore))
            || (flags.HasFlag(EntryFlags.HasExpiresOn) && !reader.TryTime(out expiresOn))
            || !reader.TryByte(out var scopeCount))
        {
            return false;
        }

        var scopes = ImmutableArray.CreateBuilder<string>(scopeCount);
        for (var i = 0; i < scopeCount; i++)
        {
            if (!reader.TryText(out var scope) || scope.Length == 0 || scope.Any(c => char.IsWhiteSpace(c) || c == ','))
            {
                return false;
            }

            scopes.Add(scope);
        }

        var excluded = flags.HasFlag(EntryFlags.Excluded);
        if (!excluded && notBefore >= expiresOn)
        {
            return false;
        }

        var extensions = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.OrdinalIgnoreCase);
        var leaveOut = false;
        if (flags.HasFlag(EntryFlags.HasExtensions) && !TryReadExtensions(ref reader, declared, extensions, out leaveOut))
        {
            return false;
        }

        // Left out, not refused: one key this reader cannot honour must not cost every other key in the ring.
        excluded |= leaveOut;

        var key = ApiKey.FromHash(secretName[prefix.Length..], hash) with
        {
            Scopes = scopes.MoveToImmutable(),
            NotBefore = notBefore,
            ExpiresOn = expiresOn,
            IsRevoked = flags.HasFlag(EntryFlags.Revoked),
            Properties = extensions.ToImmutable(),
        };
        entry = new VaultEntry(secretName, updated, flags.HasFlag(EntryFlags.Settled), key, excluded);
        return true;
    }

    /// <summary>
    /// Extension fields: a count (1 byte), then per field its flags (1 byte: 1 = critical), the property's name and its
    /// canonical text (each a length byte + UTF-8). A declared field is read by its declaration; an unknown one is
    /// skipped unless critical. <paramref name="leaveOut"/> says the entry must be excluded: a critical field unknown
    /// here, or one the declaration here refuses. False only when the bytes are malformed.
    /// </summary>
    private static bool TryReadExtensions(ref Reader reader, IReadOnlyCollection<ApiKeyProperty> declared, ImmutableDictionary<string, string>.Builder extensions, out bool leaveOut)
    {
        leaveOut = false;
        if (!reader.TryByte(out var count) || count == 0)
        {
            return false;
        }

        var seen = new HashSet<string>(count, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryByte(out var fieldFlags) || (fieldFlags & ~CriticalField) != 0 || !reader.TryText(out var name) || name.Length == 0 || !seen.Add(name)
                || !reader.TryText(out var text))
            {
                return false;
            }

            var critical = (fieldFlags & CriticalField) != 0;
            var property = ApiKeyProperty.Find(declared, name);
            if (property is not null && property.TryCanonicalize(text, out var canonical, out _))
            {
                extensions[property.Name] = canonical;
            }
            else if (critical)
            {
                leaveOut = true;
            }
        }

        return true;
    }

    private static void WriteEntry(ArrayBufferWriter<byte> buffer, VaultEntry entry, IReadOnlyCollection<ApiKeyProperty> declared)
    {
        var key = entry.Key;
        var flags = (key.Properties.IsEmpty ? 0 : EntryFlags.HasExtensions) | (entry.Settled ? EntryFlags.Settled : 0) | (entry.Excluded ? EntryFlags.Excluded : 0) | (key.IsRevoked ? EntryFlags.Revoked : 0)
            | (entry.UpdatedOn is null ? 0 : EntryFlags.HasUpdated) | (key.NotBefore is null ? 0 : EntryFlags.HasNotBefore) | (key.ExpiresOn is null ? 0 : EntryFlags.HasExpiresOn);
        buffer.Write([(byte)flags]);
        WriteText(buffer, entry.SecretName);
        key.CopyHashTo(buffer.GetSpan(32));
        buffer.Advance(32);
        foreach (var time in new[] { entry.UpdatedOn, key.NotBefore, key.ExpiresOn })
        {
            if (time is { } value)
            {
                WriteInt64(buffer, value.ToUnixTimeSeconds());
            }
        }

        buffer.Write([checked((byte)key.Scopes.Length)]);
        foreach (var scope in key.Scopes)
        {
            WriteText(buffer, scope);
        }

        if (!key.Properties.IsEmpty)
        {
            buffer.Write([checked((byte)key.Properties.Count)]);
            foreach (var (name, text) in key.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var property = ApiKeyProperty.Find(declared, name);
                buffer.Write([property is { IsCritical: false } ? (byte)0 : CriticalField]);
                WriteText(buffer, name);
                WriteText(buffer, text);
            }
        }
    }

    private static void WriteHeader(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> magic, ECDsa signer)
    {
        buffer.Write(magic);
        buffer.Write([Version]);
        buffer.Write(RingKeys.KeyIdOf(signer));
    }

    private static byte[] Sign(ArrayBufferWriter<byte> buffer, ECDsa signer)
    {
        var signature = signer.SignData(buffer.WrittenSpan, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        buffer.Write(signature);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteInt64(ArrayBufferWriter<byte> buffer, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(buffer.GetSpan(8), value);
        buffer.Advance(8);
    }

    private static void WriteInt32(ArrayBufferWriter<byte> buffer, int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(buffer.GetSpan(4), value);
        buffer.Advance(4);
    }

    private static void WriteText(ArrayBufferWriter<byte> buffer, string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        buffer.Write([checked((byte)length)]);
        Encoding.UTF8.GetBytes(text, buffer.GetSpan(length));
        buffer.Advance(length);
    }

    /// <summary>A Key Vault secret name: 1–127 letters, digits and dashes.</summary>
    private static bool IsSecretName(string name) => name.Length <= 127 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static bool TryUnixMilliseconds(long milliseconds, out DateTimeOffset time)
    {
        time = default;
        if (milliseconds < MinUnixSeconds * 1000 || milliseconds > MaxUnixSeconds * 1000)
        {
            return false;
        }

        time = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        return true;
    }

    /// <summary>Reads a signed body front to back; every read checks the bytes are there, so nothing reads past the end.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public readonly int Remaining => _rest.Length;

        public readonly bool AtEnd => _rest.IsEmpty;

        public bool TryByte(out byte value)
        {
            value = 0;
            if (_rest.IsEmpty)
            {
                return false;
            }

            value = _rest[0];
            _rest = _rest[1..];
            return true;
        }

        public bool TryInt32(out int value)
        {
            value = 0;
            if (_rest.Length < 4)
            {
                return false;
            }

            value = BinaryPrimitives.ReadInt32BigEndian(_rest);
            _rest = _rest[4..];
            return true;
        }

        public bool TryInt64(out long value)
        {
            value = 0;
            if (_rest.Length < 8)
            {
                return false;
            }

            value = BinaryPrimitives.ReadInt64BigEndian(_rest);
            _rest = _rest[8..];
            return true;
        }

        public bool TryTime(out DateTimeOffset? value)
        {
            value = null;
            if (!TryInt64(out var seconds) || seconds < MinUnixSeconds || seconds > MaxUnixSeconds)
            {
                return false;
            }

            value = DateTimeOffset.FromUnixTimeSeconds(seconds);
            return true;
        }

        public bool TryCopy(scoped Span<byte> destination)
        {
            if (_rest.Length < destination.Length)
            {
                return false;
            }

            _rest[..destination.Length].CopyTo(destination);
            _rest = _rest[destination.Length..];
            return true;
        }

        public bool TryText(out string text)
        {
            text = string.Empty;
            if (!TryByte(out var length) || _rest.Length < length)
            {
                return false;
            }

            try
            {
                text = StrictUtf8.GetString(_rest[..length]);
            }
            catch (DecoderFallbackException)
            {
                return false;
            }

            _rest = _rest[length..];
            return true;
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
