using System.Security.Cryptography;
using System.Text;
using FunctionsApiKey.KeyRing;

namespace FunctionApp.Tests.KeyRing;

public sealed class Sha256Tests
{
    [Theory]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public void MatchesTheFips180TestVectors(string message, string expected)
    {
        Span<byte> digest = stackalloc byte[32];
        Sha256.HashAscii(message, digest);

        Assert.Equal(expected, Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void MatchesThePlatformSha256AtEveryLengthUpTo1100()
    {
        var random = new Random(20261127);
        Span<byte> digest = stackalloc byte[32];
        for (var length = 0; length <= 1100; length++)
        {
            var bytes = new byte[length];
            for (var i = 0; i < length; i++)
            {
                bytes[i] = (byte)random.Next(0, 128);
            }

            Sha256.HashAscii(Encoding.ASCII.GetString(bytes), digest);

            Assert.True(SHA256.HashData(bytes).AsSpan().SequenceEqual(digest), $"Digest differs at length {length}.");
        }
    }
}
