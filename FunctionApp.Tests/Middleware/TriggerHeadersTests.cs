using FunctionsApiKey.Middleware;

namespace FunctionApp.Tests.Middleware;

/// <summary>The header as the built-in model's trigger binding data carries it: a JSON object of each header's value.</summary>
public sealed class TriggerHeadersTests
{
    [Theory]
    [InlineData("""{"host":"localhost","api-key":"K1"}""")]
    [InlineData("""{"Host":"localhost","Api-Key":"K1"}""")]
    [InlineData("""{"API-KEY":"K1","accept":"*/*"}""")]
    [InlineData("""{"api\u002Dkey":"K1"}""")]
    public void TheHeaderIsFoundInAnyLetterCaseAndSpelling(string json)
    {
        Assert.True(TriggerHeaders.TryRead(json, "api-key", out var value, out var count));
        Assert.Equal("K1", value);
        Assert.Equal(1, count);
    }

    [Fact]
    public void AnAbsentHeaderIsReadAsAbsent()
    {
        Assert.True(TriggerHeaders.TryRead("""{"host":"localhost","api-keys":"K1","x-api-key":"K2"}""", "api-key", out var value, out var count));
        Assert.Null(value);
        Assert.Equal(0, count);
    }

    [Fact]
    public void AHeaderNamedTwiceIsCountedTwice()
    {
        Assert.True(TriggerHeaders.TryRead("""{"api-key":"K1","Api-Key":"K2"}""", "api-key", out _, out var count));
        Assert.Equal(2, count);
    }

    [Fact]
    public void AnEmptyValueIsReadAsEmpty()
    {
        Assert.True(TriggerHeaders.TryRead("""{"api-key":""}""", "api-key", out var value, out var count));
        Assert.Equal(string.Empty, value);
        Assert.Equal(1, count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("\"api-key\"")]
    [InlineData("""{"api-key":["K1"]}""")]
    [InlineData("""{"api-key":{"v":"K1"}}""")]
    [InlineData("""{"api-key":1}""")]
    [InlineData("""{"api-key":"K1" """)]
    [InlineData("""{"api-key":"K1"}{"api-key":"K2"}""")]
    public void AnythingButAJsonObjectOfStringsIsNotReadSoTheRequestDataDecides(string json)
    {
        Assert.False(TriggerHeaders.TryRead(json, "api-key", out var value, out _));
        Assert.Null(value);
    }
}
