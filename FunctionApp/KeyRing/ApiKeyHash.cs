using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace FunctionApp.KeyRing;

/// <summary>
/// The SHA-256 of an API key: the only form in which a key is held in memory.
/// </summary>
[InlineArray(Size)]
internal struct ApiKeyHash : IEquatable<ApiKeyHash>
{
    /// <summary>Bytes in a SHA-256 digest.</summary>
    public const int Size = 32;

    /// <summary>The prefix of a key written as its hash, e.g. in Key Vault or settings.</summary>
    public const string TextPrefix = "sha256:";

    /// <summary>The longest key <see cref="TryCompute"/> accepts.</summary>
    public const int MaxKeyLength = 8192;

    private byte _element0;

    /// <summary>
    /// Hashes a presented key. The key must already be validated as visible ASCII (see <see cref="ApiKeyFormat"/>),
    /// so each char is one byte. Allocates nothing and takes time that depends only on the key's length.
    /// </summary>
    public static bool TryCompute(ReadOnlySpan<char> key, out ApiKeyHash hash)
    {
        hash = default;
        if (key.Length > MaxKeyLength)
        {
            return false;
        }

        Sha256.HashAscii(key, hash);
        return true;
    }

    /// <summary>Parses <c>sha256:</c> followed by 64 hexadecimal digits (either letter case).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out ApiKeyHash hash)
    {
        hash = default;
        if (!text.StartsWith(TextPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var hex = text[TextPrefix.Length..];
        if (hex.Length != Size * 2)
        {
            return false;
        }

        Span<byte> bytes = hash;
        for (var i = 0; i < Size; i++)
        {
            if (!byte.TryParse(hex.Slice(i * 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether a value is written in the <c>sha256:</c> form, valid or not.</summary>
    public static bool LooksLikeHash(ReadOnlySpan<char> text) => text.StartsWith(TextPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Picks a slot in the key ring's table. SHA-256 output is uniform, so its first bytes are a good
    /// bucket index without a second hash function.
    /// </summary>
    public readonly ulong BucketSeed => MemoryMarshal.Read<ulong>(this);

    /// <summary>
    /// Compares two hashes in time that does not depend on where they differ: all 32 bytes are always read and
    /// combined, with no early exit (as <see cref="CryptographicOperations.FixedTimeEquals"/> does byte by byte,
    /// here four 64-bit words at a time).
    /// </summary>
    public readonly bool FixedTimeEquals(in ApiKeyHash other)
    {
        ReadOnlySpan<ulong> left = MemoryMarshal.Cast<byte, ulong>(this);
        ReadOnlySpan<ulong> right = MemoryMarshal.Cast<byte, ulong>(other);
        return ((left[0] ^ right[0]) | (left[1] ^ right[1]) | (left[2] ^ right[2]) | (left[3] ^ right[3])) == 0;
    }

    /// <summary>The hash in the <c>sha256:</c> form, e.g. to store a key in Key Vault without its plaintext. Never log it.</summary>
    public readonly string ToStorageText() => TextPrefix + Convert.ToHexStringLower(this);

    /// <summary>Redacted, so a hash printed by accident (a log, a debugger, a record's ToString) shows nothing of it.</summary>
    public readonly override string ToString() => TextPrefix + "…";

    public readonly bool Equals(ApiKeyHash other) => FixedTimeEquals(other);

    public readonly override bool Equals(object? obj) => obj is ApiKeyHash other && FixedTimeEquals(other);

    public readonly override int GetHashCode() => (int)BucketSeed;
}
