using FunctionApp.Testing;
using FunctionsApiKey;
using FunctionsApiKey.KeyRing;

namespace FunctionApp.Tests.KeyRing;

/// <summary>What a key string may be, presented in a header or stored at a source: one rule for both.</summary>
public sealed class ApiKeyTextTests
{
    [Theory]
    [InlineData(null, 0, "Missing")]
    [InlineData("", 1, "Missing")]
    [InlineData(" ", 1, "Malformed")]
    [InlineData("\t", 1, "Malformed")]
    [InlineData(" padded-key-value ", 1, "Malformed")]
    [InlineData("two,values", 1, "Malformed")]
    [InlineData("one-value", 2, "Malformed")]
    [InlineData("line\r\nbreak", 1, "Malformed")]
    [InlineData("trailing-break\n", 1, "Malformed")]
    [InlineData("nul\0char", 1, "Malformed")]
    [InlineData("del\u007fchar", 1, "Malformed")]
    [InlineData("caf\u00e9-key", 1, "Malformed")]
    [InlineData("emoji-\U0001F511", 1, "Malformed")]
    [InlineData("inner space", 1, "Malformed")]
    [InlineData("a-well-formed-key", 1, "Allowed")]
    public void APresentedValueIsMissingMalformedOrWellFormedBeforeAnyLookup(string? value, int count, string expected) =>
        Assert.Equal(expected, PresentedKey.Check(value, count, ApiKeyFormat.DefaultPrefix).ToString());

    [Fact]
    public void AnIssuedKeyIsWellFormedAndOneWithAWrongChecksumIsMalformedBeforeAnyLookup()
    {
        var key = ApiKeyFormat.Generate();
        var mistyped = key[..^1] + (key[^1] == '0' ? '1' : '0');

        Assert.Equal(ApiKeyOutcome.Allowed, PresentedKey.Check(key, 1, ApiKeyFormat.DefaultPrefix));
        Assert.Equal(ApiKeyOutcome.Malformed, PresentedKey.Check(mistyped, 1, ApiKeyFormat.DefaultPrefix));
        Assert.Equal(ApiKeyOutcome.Malformed, PresentedKey.Check(key[..^7], 1, ApiKeyFormat.DefaultPrefix));
        Assert.Equal(ApiKeyOutcome.Allowed, PresentedKey.Check(mistyped, 1, "acme"));
    }

    [Fact]
    public void APresentedValueLongerThanTheMaximumIsMalformed()
    {
        Assert.Equal(ApiKeyOutcome.Allowed, PresentedKey.Check(new string('k', ApiKeyText.MaxLength), 1, ApiKeyFormat.DefaultPrefix));
        Assert.Equal(ApiKeyOutcome.Malformed, PresentedKey.Check(new string('k', ApiKeyText.MaxLength + 1), 1, ApiKeyFormat.DefaultPrefix));
    }

    [Fact]
    public void AStoredSha256FormIsReadInEitherLetterCase()
    {
        var text = TestKeys.Sha256Text("secret-value-1234");

        Assert.True(ApiKeyText.TryParseStored(text, out var lower, out _));
        Assert.True(ApiKeyText.TryParseStored("SHA256:" + text["sha256:".Length..].ToUpperInvariant(), out var upper, out _));
        Assert.True(lower.FixedTimeEquals(TestKeys.Hash("secret-value-1234")));
        Assert.True(upper.FixedTimeEquals(TestKeys.Hash("secret-value-1234")));
    }

    [Theory]
    [InlineData("sha256:", "starts with sha256: but is not followed by exactly 64 hexadecimal digits")]
    [InlineData("sha256:abc", "starts with sha256: but is not followed by exactly 64 hexadecimal digits")]
    [InlineData("sha256:zz00000000000000000000000000000000000000000000000000000000000000", "starts with sha256: but is not followed by exactly 64 hexadecimal digits")]
    [InlineData("sha256:00000000000000000000000000000000000000000000000000000000000000000", "starts with sha256: but is not followed by exactly 64 hexadecimal digits")]
    [InlineData("has spaces", "is not a usable key: it must be 1 to 512 visible ASCII characters with no comma or whitespace")]
    [InlineData("", "is not a usable key: it must be 1 to 512 visible ASCII characters with no comma or whitespace")]
    [InlineData("\n", "is not a usable key: it must be 1 to 512 visible ASCII characters with no comma or whitespace")]
    public void AStoredValueThatCannotBeAKeyIsRefusedWithoutQuotingIt(string value, string expected)
    {
        Assert.False(ApiKeyText.TryParseStored(value, out _, out var problem));
        Assert.Equal(expected, problem);
    }

    [Fact]
    public void AnotherHashPrefixIsReadAsAPlaintextKey()
    {
        var value = "md5:0000000000000000000000000000000000000000000000000000000000000000";

        Assert.True(ApiKeyText.TryParseStored(value, out var hash, out _));
        Assert.True(hash.FixedTimeEquals(TestKeys.Hash(value)));
    }
}
