using System.Globalization;
using System.Text.Json;
using FunctionApp.TestHost.Rpc;

namespace FunctionApp.TestHost.Timers;

/// <summary>
/// A timer-triggered function as the host schedules it, read from the raw binding the worker reports
/// (<c>"type": "timerTrigger"</c>) in the host's two steps: the binding's properties
/// (<c>CoreExtensionsScriptBindingProvider</c>: <c>schedule</c>, <c>runOnStartup</c> default false, <c>useMonitor</c>
/// default true, names matched ignoring case), then the schedule itself when the WebJobs timer extension indexes the
/// function (<c>TimerSchedule.Create</c>: <c>%Name%</c> resolved from app settings, then parsed).
/// </summary>
internal sealed class TimerFunction
{
    private TimerFunction(string name, string functionId, string triggerParameter, TimerSchedule schedule, bool runOnStartup, bool useMonitor)
    {
        Name = name;
        FunctionId = functionId;
        TriggerParameter = triggerParameter;
        Schedule = schedule;
        RunOnStartup = runOnStartup;
        UseMonitor = useMonitor;
    }

    public string Name { get; }

    public string FunctionId { get; }

    /// <summary>The name of the trigger binding, e.g. <c>timer</c>: the invocation's <c>TimerInfo</c> is bound to it.</summary>
    public string TriggerParameter { get; }

    /// <summary>Whether it also runs once as soon as the host has started.</summary>
    public bool RunOnStartup { get; }

    /// <summary>
    /// Whether the schedule is monitored, so the function receives a <c>ScheduleStatus</c>: <c>useMonitor</c>, turned
    /// off by the extension for a schedule that runs more than once a minute.
    /// </summary>
    public bool UseMonitor { get; }

    public TimerSchedule Schedule { get; }

    /// <summary>
    /// The invocation the host sends for a run: the <see cref="TimerInfo"/> as JSON, bound to the trigger parameter, and
    /// the extension's one binding-data entry, <c>TimerTrigger</c>, the host's local time as its culture writes it.
    /// </summary>
    public StreamingMessage CreateInvocation(TimerInfo timerInfo, DateTimeOffset now) => new()
    {
        InvocationRequest = new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = FunctionId,
            InputData = { new ParameterBinding { Name = TriggerParameter, Data = new TypedData { Json = timerInfo.ToJson() } } },
            TriggerMetadata = { ["TimerTrigger"] = new TypedData { String = now.DateTime.ToString(CultureInfo.CurrentCulture) } },
            TraceContext = new RpcTraceContext(),
        },
    };

    /// <summary>The function's timer trigger; null when it has another trigger.</summary>
    /// <param name="metadata">The function as the worker reports it.</param>
    /// <param name="names">Resolves <c>%Name%</c> from app settings.</param>
    /// <param name="timeZone">The host's local time zone.</param>
    /// <param name="now">When the host indexes the function; the monitor rule looks at the minute after it.</param>
    /// <exception cref="FunctionInErrorException">The host would put the function in error, with this message.</exception>
    public static TimerFunction? FromMetadata(RpcFunctionMetadata metadata, NameResolver names, TimeZoneInfo timeZone, DateTimeOffset now)
    {
        if (TriggerBinding.Of(metadata) is not { } trigger || !trigger.Is("timerTrigger"))
        {
            return null;
        }

        var binding = trigger.Binding;
        var schedule = binding.PropertyIgnoringCase("schedule") is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;
        var runOnStartup = Boolean(binding, "runOnStartup", defaultValue: false);
        var useMonitor = Boolean(binding, "useMonitor", defaultValue: true);
        var parsed = ParseSchedule(metadata.Name, schedule, names, timeZone);
        return new TimerFunction(metadata.Name, metadata.FunctionId, trigger.Name, parsed, runOnStartup, useMonitor && !parsed.RunsMoreThanOncePerMinute(now));
    }

    /// <summary>The extension's <c>TimerSchedule.Create</c>, with its errors as the host's indexer reports them.</summary>
    private static TimerSchedule ParseSchedule(string functionName, string? expression, NameResolver names, TimeZoneInfo timeZone)
    {
        // With no expression the extension makes a schedule of the attribute's (here absent) schedule type.
        if (string.IsNullOrEmpty(expression))
        {
            throw IndexingError(functionName, "System.Private.CoreLib", "Value cannot be null. (Parameter 'type')");
        }

        string resolved;
        try
        {
            resolved = names.ResolveWholeString(expression);
        }
        catch (InvalidOperationException ex)
        {
            throw IndexingError(functionName, "Microsoft.Azure.WebJobs.Host", ex.Message);
        }

        try
        {
            return TimerSchedule.Parse(resolved, timeZone);
        }
        catch (ArgumentException ex)
        {
            throw IndexingError(functionName, "Microsoft.Azure.WebJobs.Extensions", ex.Message);
        }
    }

    /// <summary>
    /// The WebJobs indexer wraps the error in "Error indexing method", and the host flattens both with the assembly each
    /// came from (<c>Utility.FlattenException</c>). The host still loads the function.
    /// </summary>
    private static FunctionInErrorException IndexingError(string functionName, string source, string message) =>
        new($"Microsoft.Azure.WebJobs.Host: Error indexing method 'Functions.{functionName}'. {source}: {message}{(message.EndsWith('.') ? "" : ".")}", loaded: true);

    /// <summary>
    /// A boolean binding property as the host reads it (<c>JToken.Value&lt;bool&gt;</c>): true, false, or a string or
    /// number that converts; anything else puts the function in error before it is loaded.
    /// </summary>
    private static bool Boolean(JsonElement binding, string name, bool defaultValue)
    {
        switch (binding.PropertyIgnoringCase(name))
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return defaultValue;
            case { ValueKind: JsonValueKind.True }:
                return true;
            case { ValueKind: JsonValueKind.False }:
                return false;
            case { ValueKind: JsonValueKind.Number } number when number.TryGetDouble(out var value):
                return value != 0;
            case { ValueKind: JsonValueKind.String } text when bool.TryParse(text.GetString(), out var value):
                return value;
            case { } other:
                // The host's message, followed by the conversion's own (shown here for a string only).
                var inner = other.ValueKind == JsonValueKind.String ? $" String '{other.GetString()}' was not recognized as a valid Boolean." : string.Empty;
                throw new FunctionInErrorException($"Error parsing function.json: Invalid value specified for binding property '{name}' of type Boolean.{inner}", loaded: false);
        }
    }
}
