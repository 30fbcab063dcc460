namespace FunctionsApiKey;

/// <summary>
/// Thrown by an <see cref="IApiKeySource"/> that cannot be read (unreachable, throttled, not authorised). The key ring
/// in force stays, and the message is logged as the cause, so it must say what to act on and hold no secret.
/// </summary>
public sealed class ApiKeySourceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ApiKeySourceException()
    {
    }

    /// <summary>Creates the exception with a cause that is safe to log.</summary>
    /// <param name="message">What went wrong, e.g. "HTTP 429 Throttled"; no secret.</param>
    public ApiKeySourceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause that is safe to log and the error behind it.</summary>
    /// <param name="message">What went wrong, e.g. "HTTP 429 Throttled"; no secret.</param>
    /// <param name="innerException">The error the source met.</param>
    public ApiKeySourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
