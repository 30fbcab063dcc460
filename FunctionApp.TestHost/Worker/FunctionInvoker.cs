using FunctionApp.TestHost.Protocol;
using FunctionApp.TestHost.Rpc;

namespace FunctionApp.TestHost.Worker;

/// <summary>
/// Runs invocations, whatever triggered them, in the dispatcher's worker within host.json's <c>functionTimeout</c>, as
/// the WebJobs SDK's <c>FunctionExecutor</c> does for every function. When a function outlasts it, this logs the
/// timeout, gives the function a grace period to finish, and if it has not, has the worker replaced
/// (<see cref="FunctionDispatcher.RestartAfterTimeoutAsync"/>) before the waiter learns of the timeout.
/// </summary>
internal sealed class FunctionInvoker(FunctionDispatcher dispatcher, TimeSpan? functionTimeout, HostLog log)
{
    /// <summary>
    /// How long a timed-out function gets to finish before its worker is replaced: the WebJobs SDK's
    /// <c>TimeoutAttribute.GracePeriod</c>, which the host's exception handler waits for.
    /// </summary>
    private static readonly TimeSpan TimeoutGracePeriod = TimeSpan.FromSeconds(2);

    /// <summary>host.json's <c>functionTimeout</c>; null for no limit.</summary>
    public TimeSpan? FunctionTimeout => functionTimeout;

    /// <summary>
    /// Queues <paramref name="invocation"/> on the worker's stream and returns once it is queued. While the worker is
    /// being replaced after a timeout, this first waits for the new one, as the host holds invocations meanwhile.
    /// </summary>
    /// <param name="functionName">The function's name, for the timeout's log line.</param>
    /// <param name="invocation">A message holding an <see cref="InvocationRequest"/>.</param>
    /// <param name="cancellationToken">The waiter went away: stop waiting for a worker or for the answer.</param>
    /// <exception cref="WorkerUnavailableException">A restart under way failed: no worker will run it.</exception>
    public async Task<DispatchedInvocation> DispatchAsync(string functionName, StreamingMessage invocation, CancellationToken cancellationToken)
    {
        var worker = await GetWorkerAsync(cancellationToken).ConfigureAwait(false);
        return Dispatch(worker, functionName, invocation, cancellationToken);
    }

    /// <summary>
    /// The worker to invoke, waiting for a new one while the worker is being replaced after a timeout. An HTTP invocation
    /// of a worker that serves HTTP itself needs it before dispatching: the request is forwarded to that worker's server
    /// before its invocation is sent (<see cref="Http.WorkerHttpForwarder"/>), and both must reach the same worker.
    /// </summary>
    /// <exception cref="WorkerUnavailableException">A restart under way failed: no worker will run it.</exception>
    public Task<WorkerSession> GetWorkerAsync(CancellationToken cancellationToken) => dispatcher.GetWorkerAsync().WaitAsync(cancellationToken);

    /// <summary>
    /// Queues <paramref name="invocation"/> on <paramref name="worker"/>'s stream, within the function timeout as
    /// <see cref="DispatchAsync"/> does. A worker that has gone away fails the answer, not this call.
    /// </summary>
    public DispatchedInvocation Dispatch(WorkerSession worker, string functionName, StreamingMessage invocation, CancellationToken cancellationToken)
    {
        var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var answer = worker.Channel.RequestAsync(invocation, abandon.Token);
        return new DispatchedInvocation(invocation.InvocationRequest.InvocationId, AwaitAnswerAsync(worker, functionName, invocation, answer, abandon, cancellationToken));
    }

    private async Task<StreamingMessage?> AwaitAnswerAsync(
        WorkerSession worker, string functionName, StreamingMessage invocation, Task<StreamingMessage> answer, CancellationTokenSource abandon, CancellationToken cancellationToken)
    {
        using (abandon)
        {
            try
            {
                if (functionTimeout is not { } limit)
                {
                    return await answer.ConfigureAwait(false);
                }

                try
                {
                    return await answer.WaitAsync(limit, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // Handled below, as the WebJobs SDK's FunctionExecutor and the host's exception handler do.
                }

                log.Host($"Timeout value of {limit} was exceeded by function: Functions.{functionName}");
                if (await Task.WhenAny(answer, Task.Delay(TimeoutGracePeriod, CancellationToken.None)).ConfigureAwait(false) != answer)
                {
                    try
                    {
                        await dispatcher.RestartAfterTimeoutAsync(worker, invocation.InvocationRequest.InvocationId).ConfigureAwait(false);
                    }
                    catch (WorkerUnavailableException)
                    {
                        // The dispatcher has logged it; this waiter learns of the timeout like any other, later invocations fail.
                    }
                }

                return null;
            }
            finally
            {
                if (!answer.IsCompletedSuccessfully)
                {
                    // Stop waiting for an answer nobody reads any more, and observe how the wait ends so no failure goes unobserved.
                    await abandon.CancelAsync().ConfigureAwait(false);
                    _ = answer.ContinueWith(static wait => wait.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
            }
        }
    }
}
