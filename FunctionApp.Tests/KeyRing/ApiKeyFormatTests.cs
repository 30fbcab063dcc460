using System.Numerics;
using System.Text;
using CsCheck;
using FunctionsApiKey;

namespace FunctionApp.Tests.KeyRing;

/// <summary>
/// The issued-key format (prefix, 256 random bits in base62, CRC-32 checksum): generated keys check out, and the
/// checksum catches every change of one character and every swap of two neighbouring ones, checked over random keys.
/// </summary>
public sealed class ApiKeyFormatTests
{
    private static readonly Gen<byte[]> Bits = Gen.Byte.Array[32];
    private static readonly string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    [Fact]
    public void AGeneratedKeyHasThePrefixABase62BodyAndAValidChecksum()
    {
        var key = ApiKeyFormat.Generate();

        Assert.Matches("^fnak_[0-9A-Za-z]{43}_[0-9A-Za-z]{6}$", key);
        Assert.Equal(ApiKeyFormatCheck.Valid, ApiKeyFormat.Check(key, "fnak"));
        Assert.NotEqual(key, ApiKeyFormat.Generate());
    }

    [Fact]
    public void TheChecksumIsTheCrc32OfTheBodyInBase62()
    {
        var key = ApiKeyFormat.Generate("acme");
        var body = key[5..48];
        var expected = System.IO.Hashing.Crc32.HashToUInt32(Encoding.ASCII.GetBytes(body));

        Assert.Equal(expected, (uint)FromBase62(key[49..]));
    }

    // Keys already issued must keep checking out: these texts were computed outside .NET (Python's int and zlib.crc32).
    [Theory]
    [InlineData((byte)0, "fnak_003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf_1Yo7hP")]
    [InlineData((byte)0xFF, "fnak_yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp1_3sRzl1")]
    public void KnownBitsComposeExactlyTheKnownKey(byte first, string expected)
    {
        // 0 gives the bytes 0, 1, …, 31; 0xFF gives 32 bytes of 0xFF.
        var bits = first == 0 ? Enumerable.Range(0, 32).Select(i => (byte)i).ToArray() : Enumerable.Repeat(first, 32).ToArray();

        Assert.Equal(expected, ApiKeyFormat.Compose("fnak", bits));
        Assert.Equal(ApiKeyFormatCheck.Valid, ApiKeyFormat.Check(expected, "fnak"));
    }

    [Fact]
    public void RandomBodiesRoundTrip() =>
        Bits.Sample(bits =>
        {
            var key = ApiKeyFormat.Compose("fnak", bits);

            Assert.Equal(ApiKeyFormatCheck.Valid, ApiKeyFormat.Check(key, "fnak"));
            Assert.Equal(new BigInteger(bits, isUnsigned: true, isBigEndian: true), FromBase62(key[5..48]));
        }, iter: 10_000);

    [Fact]
    public void EveryChangeOfOneCharacterInTheBodyOrChecksumIsCaught() =>
        Gen.Select(Bits, Gen.Int[0, 43 + 6 - 1], Gen.Int[1, 61]).Sample(sample =>
        {
            var (bits, at, shift) = sample;
            var key = ApiKeyFormat.Compose("fnak", bits).ToCharArray();
            var position = 5 + (at < 43 ? at : at + 1); // skip the separator between body and checksum
            key[position] = Base62[(Base62.IndexOf(key[position], StringComparison.Ordinal) + shift) % 62];

            Assert.NotEqual(ApiKeyFormatCheck.Valid, ApiKeyFormat.Check(new string(key), "fnak"));
        }, iter: 50_000);

    [Fact]
    public void EverySwapOfTwoDifferentNeighboursIsCaught() =>
        Gen.Select(Bits, Gen.Int[5, 53]).Sample(sample =>
        {
            var (bits, at) = sample;
            var key = ApiKeyFormat.Compose("fnak", bits).ToCharArray();
            if (key[at] == key[at + 1])
            {
                return; // swapping equal characters changes nothing
            }

            (key[at], key[at + 1]) = (key[at + 1], key[at]);
            Assert.NotEqual(ApiKeyFormatCheck.Valid, ApiKeyFormat.Check(new string(key), "fnak"));
        }, iter: 50_000);

    [Theory]
    [InlineData("fnak_", "Malformed")]
    [InlineData("fnak_short_abcdef", "Malformed")]
    [InlineData("fnak-0000000000000000000000000000000000000000000_000000", "NotPrefixed")]
    [InlineData("FNAK_0000000000000000000000000000000000000000000_000000", "NotPrefixed")]
    [InlineData("fnakX_000000000000000000000000000000000000000000_000000", "NotPrefixed")]
    [InlineData("fnak_000000000000000000000000000000000000000000-_000000", "Malformed")]
    [InlineData("fnak_0000000000000000000000000000000000000000000-000000", "Malformed")]
    [InlineData("fnak_0000000000000000000000000000000000000000000_00000", "Malformed")]
    [InlineData("fnak_0000000000000000000000000000000000000000000_zzzzzz", "ChecksumMismatch")]
    [InlineData("local-dev-key-NOT-FOR-PRODUCTION", "NotPrefixed")]
    public void AValueWithThePrefixMustBeWellFormedAndOthersAreLeftToTheLookup(string value, string expected) =>
        Assert.Equal(expected, ApiKeyFormat.Check(value, "fnak").ToString());

    [Fact]
    public void ATruncatedKeyIsMalformed()
    {
        var key = ApiKeyFormat.Generate();

        Assert.Equal(ApiKeyFormatCheck.Malformed, ApiKeyFormat.Check(key.AsSpan()[..^1], "fnak"));
        Assert.Equal(ApiKeyFormatCheck.Malformed, ApiKeyFormat.Check(key + "0", "fnak"));
    }

    [Theory]
    [InlineData("fnak", true)]
    [InlineData("acme2", true)]
    [InlineData("ABCDEFGHIJKLMNOP", true)]
    [InlineData("ABCDEFGHIJKLMNOPQ", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("my_co", false)]
    [InlineData("my-co", false)]
    [InlineData("caf\u00e9", false)]
    public void APrefixIsOneToSixteenAsciiLettersAndDigits(string? prefix, bool valid)
    {
        Assert.Equal(valid, ApiKeyFormat.IsValidPrefix(prefix));
        if (!valid)
        {
            Assert.Throws<ArgumentException>(() => ApiKeyFormat.Generate(prefix!));
        }
    }

    private static BigInteger FromBase62(string digits) =>
        digits.Aggregate(BigInteger.Zero, (value, c) => (value * 62) + Base62.IndexOf(c, StringComparison.Ordinal));
}
