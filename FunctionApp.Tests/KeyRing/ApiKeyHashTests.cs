using FunctionsApiKey;
using System.Security.Cryptography;
using System.Text;
using FunctionApp.Testing;

namespace FunctionApp.Tests.KeyRing;

public sealed class ApiKeyHashTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("9d207bf0-10f5-4d8f-a479-22ff5aeff8d1")]
    [InlineData("!\"#$%&'()*+-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~")]
    public void ComputeMatchesSha256OfTheAsciiBytes(string key)
    {
        var hash = ApiKeyHash.Compute(key);

        var expected = SHA256.HashData(Encoding.ASCII.GetBytes(key));
        Assert.Equal(expected, ((ReadOnlySpan<byte>)hash).ToArray());
    }

    // Stored "sha256:<hex>" values must keep matching their keys: the FIPS 180 known answers, through the key's own hash.
    [Theory]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public void ComputeGivesTheFips180KnownAnswers(string key, string expected)
    {
        var hash = ApiKeyHash.Compute(key);

        Assert.Equal(expected, Convert.ToHexStringLower((ReadOnlySpan<byte>)hash));
    }

    [Fact]
    public void PrintingAHashOrAKeyShowsNothingOfTheHash()
    {
        var key = TestKeys.Create("partner", "secret-value-1234");
        var hex = TestKeys.Sha256Text("secret-value-1234")["sha256:".Length..];

        Assert.Equal("sha256:…", key.Hash.ToString());
        Assert.DoesNotContain(hex[..8], key.ToString(), StringComparison.Ordinal);
        Assert.Contains("Name = partner", key.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void HashesAndKeysCompareByValue()
    {
        var one = ApiKeyHash.Compute("key-one-aaaaaaaaaaaa");
        var same = ApiKeyHash.Compute("key-one-aaaaaaaaaaaa");
        var other = ApiKeyHash.Compute("key-two-aaaaaaaaaaaa");

        Assert.Equal(one, same);
        Assert.NotEqual(one, other);
        Assert.Equal(one.GetHashCode(), same.GetHashCode());
        Assert.Equal(TestKeys.Create("a", "key-one-aaaaaaaaaaaa"), TestKeys.Create("a", "key-one-aaaaaaaaaaaa"));
        Assert.NotEqual(TestKeys.Create("a", "key-one-aaaaaaaaaaaa"), TestKeys.Create("a", "key-two-aaaaaaaaaaaa"));
        Assert.Equal(TestKeys.Create("a", "key-one-aaaaaaaaaaaa", scopes: ["x"]), TestKeys.Create("a", "key-one-aaaaaaaaaaaa", scopes: ["x"]));
    }

    [Fact]
    public void AKeysHashCanBeStoredAsBytesAndReadBack()
    {
        var key = TestKeys.Create("partner", "secret-value-1234", scopes: ["reports"]);
        var stored = new byte[32];

        key.CopyHashTo(stored);
        var restored = ApiKey.FromHash("partner", stored);

        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes("secret-value-1234")), stored);
        Assert.True(TestKeys.HasValue(restored, "secret-value-1234"));
        Assert.Throws<ArgumentException>(() => ApiKey.FromHash("partner", stored.AsSpan(0, 31)));
    }

    [Fact]
    public void DifferentKeysHaveDifferentHashes()
    {
        var one = ApiKeyHash.Compute("key-one-aaaaaaaaaaaa");
        var two = ApiKeyHash.Compute("key-one-aaaaaaaaaaab");

        Assert.False(one.FixedTimeEquals(two));
        Assert.True(one.FixedTimeEquals(one));
    }
}
