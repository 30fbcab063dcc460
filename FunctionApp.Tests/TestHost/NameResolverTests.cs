using FunctionApp.TestHost;

namespace FunctionApp.Tests.TestHost;

/// <summary>How <c>%Name%</c> in a binding property reads app settings, as the host's name resolver reads them.</summary>
public sealed class NameResolverTests
{
    [Fact]
    public void ANameWithColonsReadsTheVariableWrittenWithDoubleUnderscoresIgnoringCase()
    {
        var names = new NameResolver(new Dictionary<string, string> { ["ApiKeys__PublishSchedule"] = "*/10 * * * * *" });

        Assert.Equal("*/10 * * * * *", names.ResolveWholeString("%ApiKeys:PublishSchedule%"));
        Assert.Equal("*/10 * * * * *", names.ResolveWholeString("%apikeys:publishschedule%"));
    }

    [Fact]
    public void ANameWrittenWithDoubleUnderscoresResolvesToNothing()
    {
        // Configuration keeps only the ':' form of the variable's name, so the '__' spelling names no setting.
        var names = new NameResolver(new Dictionary<string, string> { ["ApiKeys__PublishSchedule"] = "*/10 * * * * *" });

        var error = Assert.Throws<InvalidOperationException>(() => names.ResolveWholeString("%ApiKeys__PublishSchedule%"));

        Assert.Equal("'%ApiKeys__PublishSchedule%' does not resolve to a value.", error.Message);
    }

    [Fact]
    public void EveryNameInTheTextIsReplacedAndTheRestIsKept()
    {
        var names = new NameResolver(new Dictionary<string, string> { ["Minute"] = "5", ["Hour"] = "" });

        Assert.Equal("0 5  * * *", names.ResolveWholeString("0 %Minute% %Hour% * * *"));
    }

    [Fact]
    public void AnUnclosedPercentSignFailsWithItsPosition()
    {
        var names = new NameResolver(new Dictionary<string, string> { ["Minute"] = "5" });

        var error = Assert.Throws<InvalidOperationException>(() => names.ResolveWholeString("0 %Minute% 50% * * *"));

        Assert.Equal("The '%' at position 13 does not have a closing '%'", error.Message);
    }
}
