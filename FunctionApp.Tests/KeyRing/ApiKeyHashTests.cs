using System.Security.Cryptography;
using System.Text;
using FunctionApp.KeyRing;

namespace FunctionApp.Tests.KeyRing;

public sealed class ApiKeyHashTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("9d207bf0-10f5-4d8f-a479-22ff5aeff8d1")]
    [InlineData("!\"#$%&'()*+-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~")]
    public void ComputeMatchesSha256OfTheAsciiBytes(string key)
    {
        Assert.True(ApiKeyHash.TryCompute(key, out var hash));

        var expected = SHA256.HashData(Encoding.ASCII.GetBytes(key));
        Assert.Equal(expected, ((ReadOnlySpan<byte>)hash).ToArray());
    }

    [Fact]
    public void ComputeRefusesKeysBeyondTheStackBuffer()
    {
        Assert.True(ApiKeyHash.TryCompute(new string('k', ApiKeyHash.MaxKeyLength), out _));
        Assert.False(ApiKeyHash.TryCompute(new string('k', ApiKeyHash.MaxKeyLength + 1), out _));
    }

    [Fact]
    public void ParseReadsTheSha256FormInEitherLetterCase()
    {
        var text = TestKeys.Sha256Text("secret-value-1234");

        Assert.True(ApiKeyHash.TryParse(text, out var lower));
        Assert.True(ApiKeyHash.TryParse("SHA256:" + text["sha256:".Length..].ToUpperInvariant(), out var upper));
        Assert.True(ApiKeyHash.TryCompute("secret-value-1234", out var computed));
        Assert.True(lower.FixedTimeEquals(computed));
        Assert.True(upper.FixedTimeEquals(computed));
        Assert.Equal(text, lower.ToStorageText());
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
        ApiKeyHash.TryCompute("key-one-aaaaaaaaaaaa", out var one);
        ApiKeyHash.TryCompute("key-one-aaaaaaaaaaaa", out var same);
        ApiKeyHash.TryCompute("key-two-aaaaaaaaaaaa", out var other);

        Assert.Equal(one, same);
        Assert.NotEqual(one, other);
        Assert.Equal(one.GetHashCode(), same.GetHashCode());
        Assert.Equal(TestKeys.Create("a", "key-one-aaaaaaaaaaaa"), TestKeys.Create("a", "key-one-aaaaaaaaaaaa"));
    }

    [Theory]
    [InlineData("sha256:")]
    [InlineData("sha256:abc")]
    [InlineData("sha256:zz00000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("sha256:00000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("md5:0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    public void ParseRefusesAnythingElse(string text) => Assert.False(ApiKeyHash.TryParse(text, out _));

    [Fact]
    public void DifferentKeysHaveDifferentHashes()
    {
        ApiKeyHash.TryCompute("key-one-aaaaaaaaaaaa", out var one);
        ApiKeyHash.TryCompute("key-one-aaaaaaaaaaab", out var two);

        Assert.False(one.FixedTimeEquals(two));
        Assert.True(one.FixedTimeEquals(one));
    }
}
