namespace FunctionApp.TestHost;

/// <summary>
/// The host puts a function in error and leaves it out, and the others run: its message is what the host logs after
/// "The '{name}' function is in error: ".
/// </summary>
internal sealed class FunctionInErrorException : Exception
{
    /// <param name="message">The error, as the host flattens it.</param>
    /// <param name="loaded">
    /// Whether the host still loads the function into the worker and lists it. It does when the error comes from
    /// indexing its trigger (a timer's schedule); the function then runs on no trigger, and a call through the admin API
    /// is accepted but fails. It does not when the error comes earlier, from the function's metadata (an HTTP route).
    /// </param>
    public FunctionInErrorException(string message, bool loaded)
        : base(message)
    {
        Loaded = loaded;
    }

    public FunctionInErrorException()
    {
    }

    public FunctionInErrorException(string message)
        : base(message)
    {
    }

    public FunctionInErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public bool Loaded { get; }
}
