using System.Diagnostics.CodeAnalysis;
using System.IO.Hashing;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace FunctionsApiKey;

/// <summary>
/// The format of the keys this project issues: a prefix, <c>_</c>, 43 base62 characters holding 256 random bits,
/// <c>_</c>, and 6 base62 characters holding the CRC-32 of those 43 (as GitHub's tokens carry one), e.g.
/// <c>fnak_4pQ…x9_1bXk2Z</c>. The prefix lets secret scanners find a leaked key with few false positives; the
/// checksum lets the gate turn a mistyped or truncated key away before any hashing. Keys in other formats (issued
/// before this one, or by hand) are not affected: only a value that starts with the prefix and <c>_</c> must be
/// well formed.
/// </summary>
public static class ApiKeyFormat
{
    /// <summary>
    /// The prefix unless configured otherwise: short, lowercase and readable as "Functions API key", and not one of the
    /// well-known token prefixes (<c>ghp_</c>, <c>sk_live_</c>, <c>xoxb-</c>, <c>zpka_</c>…), so a scanner's pattern for it
    /// matches our keys only.
    /// </summary>
    public const string DefaultPrefix = "fnak";

    /// <summary>Characters of the random part: 43 base62 digits hold 256 bits (62^43 &gt; 2^256).</summary>
    public const int BodyLength = 43;

    /// <summary>Characters of the checksum: 6 base62 digits hold any 32-bit CRC (62^6 &gt; 2^32).</summary>
    public const int ChecksumLength = 6;

    /// <summary>The longest prefix allowed.</summary>
    public const int MaxPrefixLength = 16;

    private const string Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // Base62 digit values by ASCII code; -1 for everything else.
    private static readonly sbyte[] DigitValues = BuildDigitValues();

    /// <summary>Whether <paramref name="prefix"/> can start a key: 1 to 16 ASCII letters and digits.</summary>
    /// <param name="prefix">The prefix to check.</param>
    public static bool IsValidPrefix([NotNullWhen(true)] string? prefix)
    {
        if (string.IsNullOrEmpty(prefix) || prefix.Length > MaxPrefixLength)
        {
            return false;
        }

        foreach (var c in prefix)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A new key from 256 bits of <see cref="RandomNumberGenerator"/>.</summary>
    /// <param name="prefix">The key's prefix (see <see cref="IsValidPrefix"/>).</param>
    /// <exception cref="ArgumentException">The prefix is not valid.</exception>
    public static string Generate(string prefix = DefaultPrefix)
    {
        Span<byte> bits = stackalloc byte[32];
        RandomNumberGenerator.Fill(bits);
        try
        {
            return Compose(prefix, bits);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bits);
        }
    }

    /// <summary>
    /// Checks the form of a presented value against <paramref name="prefix"/> without hashing or looking anything up,
    /// and without allocating.
    /// </summary>
    /// <param name="value">The value as presented.</param>
    /// <param name="prefix">The configured prefix.</param>
    public static ApiKeyFormatCheck Check(ReadOnlySpan<char> value, string prefix)
    {
        if (value.Length <= prefix.Length || value[prefix.Length] != '_' || !value.StartsWith(prefix, StringComparison.Ordinal))
        {
            return ApiKeyFormatCheck.NotPrefixed;
        }

        var rest = value[(prefix.Length + 1)..];
        if (rest.Length != BodyLength + 1 + ChecksumLength || rest[BodyLength] != '_')
        {
            return ApiKeyFormatCheck.Malformed;
        }

        var body = rest[..BodyLength];
        foreach (var c in body)
        {
            if (DigitOf(c) < 0)
            {
                return ApiKeyFormatCheck.Malformed;
            }
        }

        ulong checksum = 0;
        foreach (var c in rest[(BodyLength + 1)..])
        {
            var digit = DigitOf(c);
            if (digit < 0)
            {
                return ApiKeyFormatCheck.Malformed;
            }

            checksum = (checksum * 62) + (ulong)digit;
        }

        return checksum == ChecksumOf(body) ? ApiKeyFormatCheck.Valid : ApiKeyFormatCheck.ChecksumMismatch;
    }

    /// <summary>The key for 32 bytes of randomness: the prefix, the bits as 43 base62 digits, and their checksum.</summary>
    internal static string Compose(string prefix, ReadOnlySpan<byte> bits)
    {
        if (!IsValidPrefix(prefix))
        {
            throw new ArgumentException($"A key prefix is 1 to {MaxPrefixLength} ASCII letters and digits.", nameof(prefix));
        }

        if (bits.Length != 32)
        {
            throw new ArgumentException("A key holds exactly 256 bits.", nameof(bits));
        }

        Span<char> key = stackalloc char[prefix.Length + 1 + BodyLength + 1 + ChecksumLength];
        prefix.CopyTo(key);
        key[prefix.Length] = '_';
        var body = key.Slice(prefix.Length + 1, BodyLength);
        WriteBase62(new BigInteger(bits, isUnsigned: true, isBigEndian: true), body);
        key[prefix.Length + 1 + BodyLength] = '_';
        WriteBase62(ChecksumOf(body), key[^ChecksumLength..]);
        var text = new string(key);
        key.Clear();
        return text;
    }

    // The body is base62 digits, so ASCII: one byte a character. It is the key's secret part, so the copy is wiped.
    private static uint ChecksumOf(ReadOnlySpan<char> body)
    {
        Span<byte> ascii = stackalloc byte[BodyLength];
        Ascii.FromUtf16(body, ascii, out _);
        var checksum = Crc32.HashToUInt32(ascii);
        CryptographicOperations.ZeroMemory(ascii);
        return checksum;
    }

    private static void WriteBase62(BigInteger value, Span<char> digits)
    {
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            value = BigInteger.DivRem(value, 62, out var digit);
            digits[i] = Digits[(int)digit];
        }
    }

    private static int DigitOf(char c) => c < 128 ? DigitValues[c] : -1;

    private static sbyte[] BuildDigitValues()
    {
        var values = new sbyte[128];
        Array.Fill(values, (sbyte)-1);
        for (var i = 0; i < Digits.Length; i++)
        {
            values[Digits[i]] = (sbyte)i;
        }

        return values;
    }
}
