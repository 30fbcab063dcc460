using System.Net;
using FunctionsApiKey.Policies;

namespace FunctionApp.Tests.Policies;

/// <summary>Reading the caller from X-Forwarded-For: counted from the right, with or without ports, never past what is there.</summary>
public sealed class ForwardedForTests
{
    [Theory]
    [InlineData("203.0.113.7", 1, "203.0.113.7")]
    [InlineData("203.0.113.7:50312", 1, "203.0.113.7")]
    [InlineData("[2001:db8::7]:443", 1, "2001:db8::7")]
    [InlineData("2001:db8::7", 1, "2001:db8::7")]
    [InlineData("::ffff:203.0.113.7", 1, "203.0.113.7")]
    [InlineData("10.9.9.9, 198.51.100.1:1234, 203.0.113.7:80", 1, "203.0.113.7")]
    [InlineData("10.9.9.9, 198.51.100.1:1234, 203.0.113.7:80", 2, "198.51.100.1")]
    [InlineData("10.9.9.9,198.51.100.1,203.0.113.7", 3, "10.9.9.9")]
    public void TheEntryCountedFromTheRightIsTheCaller(string header, int fromRight, string expected)
    {
        Assert.True(ForwardedFor.TryPick(header, fromRight, out var address));
        Assert.Equal(IPAddress.Parse(expected), address);
    }

    [Theory]
    [InlineData(null, 1)]
    [InlineData("", 1)]
    [InlineData("203.0.113.7", 2)]
    [InlineData("203.0.113.7, 198.51.100.1", 3)]
    [InlineData("unknown", 1)]
    [InlineData("203.0.113.7, not-an-address", 1)]
    [InlineData("203.0.113.7, ", 1)]
    [InlineData("999.1.1.1", 1)]
    public void AnythingElseGivesNoAddress(string? header, int fromRight)
    {
        Assert.False(ForwardedFor.TryPick(header, fromRight, out var address));
        Assert.Null(address);
    }
}
