namespace FunctionApp.TestHost;

/// <summary>How an invocation that no HTTP caller waited for ended: a timer's run, or a call through the admin API.</summary>
/// <param name="FunctionName">The function, as its metadata names it.</param>
/// <param name="InvocationId">The invocation's id, as the host and the worker log it.</param>
/// <param name="Succeeded">Whether the worker answered that the function succeeded.</param>
/// <param name="Error">Why it did not: the function's exception message, a timeout, or why it could not run at all.</param>
public sealed record FunctionInvocationResult(string FunctionName, string InvocationId, bool Succeeded, string? Error);
