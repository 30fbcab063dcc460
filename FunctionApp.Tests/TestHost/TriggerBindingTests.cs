using FunctionApp.TestHost;
using FunctionApp.TestHost.Rpc;

namespace FunctionApp.Tests.TestHost;

/// <summary>Which of a function's raw bindings the host takes for its trigger, the one answer routing, timers and the admin API share.</summary>
public sealed class TriggerBindingTests
{
    [Fact]
    public void TheTriggerIsFoundAfterAnOutputBindingWithItsNameTypeAndProperties()
    {
        var trigger = TriggerBinding.Of(Function(
            """{"name":"$return","type":"http","direction":"Out"}""",
            """{"name":"request","direction":"In","type":"httpTrigger","route":"items","methods":["get"]}"""));

        Assert.NotNull(trigger);
        Assert.Equal("httpTrigger", trigger.Type);
        Assert.Equal("request", trigger.Name);
        Assert.Equal("items", trigger.Binding.GetProperty("route").GetString());
        Assert.True(trigger.Is("HTTPTRIGGER"));
        Assert.False(trigger.Is("timerTrigger"));
    }

    [Fact]
    public void PropertyNamesAndTheTypeAreMatchedIgnoringCaseAndADirectionIsNotRequired()
    {
        var trigger = TriggerBinding.Of(Function("""{"Name":"timer","TYPE":"TimerTrigger","schedule":"* * * * * *"}"""));

        Assert.NotNull(trigger);
        Assert.Equal("timer", trigger.Name);
        Assert.True(trigger.Is("timerTrigger"));
    }

    [Fact]
    public void AnOutboundBindingIsNeverTheTrigger()
    {
        var trigger = TriggerBinding.Of(Function(
            """{"name":"sent","type":"queueTrigger","direction":"out"}""",
            """{"name":"message","type":"queueTrigger","direction":"in"}"""));

        Assert.Equal("message", trigger?.Name);
    }

    [Fact]
    public void AFunctionWithoutATriggerHasNone()
    {
        Assert.Null(TriggerBinding.Of(Function("""{"name":"input","type":"blob","direction":"In"}""", """{"name":"$return","type":"http","direction":"Out"}""")));
        Assert.Null(TriggerBinding.Of(Function()));
    }

    [Fact]
    public void ATriggerWithoutANameBindsToAnEmptyName()
    {
        Assert.Equal(string.Empty, TriggerBinding.Of(Function("""{"type":"manualTrigger","direction":"In"}"""))?.Name);
    }

    private static RpcFunctionMetadata Function(params string[] rawBindings) => new() { Name = "F", FunctionId = "id-F", RawBindings = { rawBindings } };
}
