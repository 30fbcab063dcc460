using System.Diagnostics;
using FunctionApp.TestHost.Protocol;
using FunctionApp.TestHost.Rpc;

namespace FunctionApp.TestHost.Worker;

/// <summary>
/// Runs the invocations that no HTTP caller waits for (a timer's runs, calls through the admin API) and logs each as the
/// host logs every invocation: <c>Executing 'Functions.X' (Reason='…', Id=…)</c>, then <c>Executed 'Functions.X'
/// (Succeeded|Failed, Id=…, Duration=…ms)</c>. Their outcome is a <see cref="FunctionInvocationResult"/>, never an
/// exception, as the host's background calls report failures only in its log.
/// </summary>
internal sealed class BackgroundInvocations(FunctionInvoker invoker, HostLog log)
{
    /// <summary>
    /// Dispatches <paramref name="invocation"/> and completes once it is queued on the worker's stream, with the task of
    /// its result, which completes when the worker has answered (or the function timed out, or no worker can run it).
    /// </summary>
    /// <param name="functionName">The function's name.</param>
    /// <param name="invocation">A message holding its <see cref="InvocationRequest"/>.</param>
    /// <param name="reason">Why it runs, as the host's log line says it.</param>
    /// <param name="stopping">The host is stopping: stop waiting.</param>
    public async Task<Task<FunctionInvocationResult>> StartAsync(string functionName, StreamingMessage invocation, string reason, CancellationToken stopping)
    {
        var invocationId = invocation.InvocationRequest.InvocationId;
        log.Host($"Executing 'Functions.{functionName}' (Reason='{reason}', Id={invocationId})");
        var started = Stopwatch.StartNew();
        try
        {
            var dispatched = await invoker.DispatchAsync(functionName, invocation, stopping).ConfigureAwait(false);
            return CompleteAsync(functionName, dispatched, started, stopping);
        }
        catch (Exception ex) when (ex is WorkerUnavailableException || (ex is OperationCanceledException && stopping.IsCancellationRequested))
        {
            return Task.FromResult(Executed(functionName, invocationId, started, ex is WorkerUnavailableException ? ex.Message : Stopped));
        }
    }

    /// <summary>
    /// A call the host accepts but cannot run, because binding its trigger fails before any invocation reaches the
    /// worker: logged as executed and failed, as the host's executor logs it.
    /// </summary>
    public FunctionInvocationResult Fail(string functionName, string reason, string error)
    {
        var invocationId = Guid.NewGuid().ToString();
        log.Host($"Executing 'Functions.{functionName}' (Reason='{reason}', Id={invocationId})");
        return Executed(functionName, invocationId, Stopwatch.StartNew(), error);
    }

    private const string Stopped = "The host stopped before the function finished.";

    private async Task<FunctionInvocationResult> CompleteAsync(string functionName, DispatchedInvocation dispatched, Stopwatch started, CancellationToken stopping)
    {
        string? error;
        try
        {
            error = await dispatched.Answer.ConfigureAwait(false) switch
            {
                null => $"Timeout value of {invoker.FunctionTimeout} was exceeded by function: Functions.{functionName}",
                { InvocationResponse.Result.Status: StatusResult.Types.Status.Success } => null,
                { InvocationResponse.Result: { } result } => result.Exception?.Message ?? result.Result,
                _ => "The worker did not answer the invocation.",
            };
        }
        catch (WorkerUnavailableException ex)
        {
            error = ex.Message;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            error = Stopped;
        }

        return Executed(functionName, dispatched.InvocationId, started, error);
    }

    private FunctionInvocationResult Executed(string functionName, string invocationId, Stopwatch started, string? error)
    {
        var outcome = error is null ? "Succeeded" : "Failed";
        log.Host($"Executed 'Functions.{functionName}' ({outcome}, Id={invocationId}, Duration={started.ElapsedMilliseconds}ms){(error is null ? "" : ": " + error)}");
        return new FunctionInvocationResult(functionName, invocationId, error is null, error);
    }
}
