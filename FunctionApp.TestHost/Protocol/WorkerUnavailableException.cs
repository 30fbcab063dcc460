namespace FunctionApp.TestHost.Protocol;

/// <summary>The worker process or its event stream is gone; nothing more can be invoked.</summary>
public sealed class WorkerUnavailableException : Exception
{
    public WorkerUnavailableException(string message)
        : base(message)
    {
    }

    public WorkerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public WorkerUnavailableException()
    {
    }
}
