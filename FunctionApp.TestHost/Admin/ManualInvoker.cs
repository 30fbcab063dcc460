using FunctionApp.TestHost.Rpc;
using FunctionApp.TestHost.Timers;
using FunctionApp.TestHost.Worker;

namespace FunctionApp.TestHost.Admin;

/// <summary>
/// Runs a function now, by name, as the host's admin API does (<c>FunctionsController.Invoke</c>, which hands the input
/// to <c>ScriptHost.CallAsync</c> in the background). The input goes to the function's trigger binding, so what runs
/// depends on the trigger:
/// <list type="bullet">
/// <item>a timer function gets the <see cref="TimerInfo"/> the extension's binding makes for any input that is not a
/// <c>TimerInfo</c>: never past due, with the stored <c>ScheduleStatus</c> when the schedule is monitored. Such a run is
/// not one of the schedule's: it may overlap a scheduled run and does not move the schedule;</item>
/// <item>an HTTP function is accepted but fails to bind ("An HttpRequest is required"); nothing reaches the worker;</item>
/// <item>a function in error because its trigger failed to index is accepted but cannot be called;</item>
/// <item>a function with a trigger this host does not run gets the input as a string.</item>
/// </list>
/// </summary>
internal sealed class ManualInvoker(FunctionIndex functions, IReadOnlyList<TimerListener> timers, BackgroundInvocations background, TimeProvider time)
{
    /// <summary>The reason the host logs for such a call.</summary>
    private const string Reason = "This function was programmatically called via the host APIs.";

    private readonly Dictionary<string, TimerListener> _timers = timers.ToDictionary(t => t.Function.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Starts <paramref name="name"/> with <paramref name="input"/>. Completes once the invocation is queued on the
    /// worker's stream (or is known to fail without reaching it), with the task of its result; null when the host has no
    /// such function (in error before it was loaded, or unknown), which the admin API answers with 404.
    /// </summary>
    public async Task<Task<FunctionInvocationResult>?> StartAsync(string name, string? input, CancellationToken stopping)
    {
        if (functions.Find(name) is not { } function)
        {
            return null;
        }

        if (functions.Errors.ContainsKey(function.Name))
        {
            // The function has a descriptor but no WebJobs index entry: JobHost.CallAsync finds nothing to call.
            return Task.FromResult(background.Fail(function.Name, Reason, $"'{function.Name}' can't be invoked from Azure WebJobs SDK. Is it missing Azure WebJobs SDK attributes?"));
        }

        StreamingMessage invocation;
        if (_timers.TryGetValue(function.Name, out var timer))
        {
            invocation = timer.Function.CreateInvocation(timer.CreateManualTimerInfo(), time.GetLocalNow());
        }
        else if (TriggerBinding.Of(function) is not { } trigger)
        {
            return Task.FromResult(background.Fail(function.Name, Reason, "The function has no trigger binding."));
        }
        else if (trigger.Is("httpTrigger"))
        {
            return Task.FromResult(background.Fail(function.Name, Reason, "An HttpRequest is required"));
        }
        else
        {
            invocation = new StreamingMessage
            {
                InvocationRequest = new InvocationRequest
                {
                    InvocationId = Guid.NewGuid().ToString(),
                    FunctionId = function.FunctionId,
                    InputData = { new ParameterBinding { Name = trigger.Name, Data = input is null ? new TypedData() : new TypedData { String = input } } },
                    TraceContext = new RpcTraceContext(),
                },
            };
        }

        return await background.StartAsync(function.Name, invocation, Reason, stopping).ConfigureAwait(false);
    }
}
