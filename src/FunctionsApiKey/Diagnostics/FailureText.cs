namespace FunctionsApiKey.Diagnostics;

/// <summary>What a failed load or write says in the log: one line, never a response body.</summary>
internal static class FailureText
{
    /// <summary>
    /// A source's own <see cref="ApiKeySourceException"/> says what to act on; for anything else, the type and the
    /// first line of the message (later lines can carry response bodies). Retries that ran out report their last cause.
    /// </summary>
    public static string Describe(Exception ex) => ex switch
    {
        ApiKeySourceException => ex.Message,
        AggregateException { InnerExceptions.Count: > 0 } agg => Describe(agg.InnerExceptions[^1]),
        _ => $"{ex.GetType().Name}: {SafeText.FirstLine(ex.Message)}",
    };
}
