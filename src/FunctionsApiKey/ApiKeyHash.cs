using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace FunctionsApiKey;

/// <summary>
/// The SHA-256 of an API key: the only form in which a key is held in memory.
/// </summary>
[InlineArray(Size)]
internal struct ApiKeyHash : IEquatable<ApiKeyHash>
{
    /// <summary>Bytes in a SHA-256 digest.</summary>
    public const int Size = 32;

    private byte _element0;

    /// <summary>
    /// Hashes a key that <see cref="ApiKeyText"/> found well formed, so each char is one ASCII byte. Allocates nothing
    /// for a key of up to <see cref="ApiKeyText.MaxLength"/> characters.
    /// </summary>
    public static ApiKeyHash Compute(ReadOnlySpan<char> key)
    {
        ApiKeyHash hash = default;
        Span<byte> ascii = key.Length <= ApiKeyText.MaxLength ? stackalloc byte[key.Length] : new byte[key.Length];
        Ascii.FromUtf16(key, ascii, out _);
        SHA256.HashData(ascii, hash);

        // The bytes are the key itself: wiped, so no copy of it outlives the call.
        CryptographicOperations.ZeroMemory(ascii);
        return hash;
    }

    /// <summary>Parses exactly 64 hexadecimal digits (either letter case).</summary>
    public static bool TryParseHex(ReadOnlySpan<char> hex, out ApiKeyHash hash)
    {
        hash = default;
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

    /// <summary>
    /// Picks a slot in the key ring's table. SHA-256 output is uniform, so its first bytes are a good
    /// bucket index without a second hash function.
    /// </summary>
    public readonly ulong BucketSeed => MemoryMarshal.Read<ulong>(this);

    /// <summary>Compares two hashes in time that does not depend on where they differ.</summary>
    public readonly bool FixedTimeEquals(in ApiKeyHash other) => CryptographicOperations.FixedTimeEquals(this, other);

    /// <summary>Redacted, so a hash printed by accident (a log, a debugger, a record's ToString) shows nothing of it.</summary>
    public readonly override string ToString() => ApiKeyText.HashPrefix + "…";

    public readonly bool Equals(ApiKeyHash other) => FixedTimeEquals(other);

    public readonly override bool Equals(object? obj) => obj is ApiKeyHash other && FixedTimeEquals(other);

    public readonly override int GetHashCode() => (int)BucketSeed;
}
