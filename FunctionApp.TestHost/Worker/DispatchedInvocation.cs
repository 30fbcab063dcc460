using FunctionApp.TestHost.Rpc;

namespace FunctionApp.TestHost.Worker;

/// <summary>An invocation queued on a worker's event stream, and the wait for its answer.</summary>
/// <param name="InvocationId">The invocation's id, as the worker logs it.</param>
/// <param name="Answer">
/// The worker's answer; null if the function outlasted host.json's <c>functionTimeout</c>, in which case its worker has
/// been replaced. Fails with <see cref="Protocol.WorkerUnavailableException"/> if the worker is gone, and is cancelled
/// when whoever dispatched it stops waiting.
/// </param>
internal sealed record DispatchedInvocation(string InvocationId, Task<StreamingMessage?> Answer);
