namespace FunctionApp.TestHost.Http;

/// <summary>
/// Retries a request to the worker's HTTP server that failed to get through, as the host's <c>RetryProxyHandler</c>
/// does: an <see cref="HttpRequestException"/> (connection refused or reset, a response cut before its headers) is
/// retried up to <see cref="MaxAttempts"/> attempts in all, 50 ms apart at first and doubling to 250 ms, so about 1.9 s
/// in all. A worker reports its <c>HttpUri</c> before its server listens, so the first requests may find it closed.
/// Anything else (a cancellation, YARP's activity timeout) is not retried.
/// </summary>
internal sealed class RetryProxyHandler(HttpMessageHandler innerHandler, TimeProvider time, HostLog log) : DelegatingHandler(innerHandler)
{
    public const int MaxAttempts = 10;

    private static readonly TimeSpan InitialDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaximumDelay = TimeSpan.FromMilliseconds(250);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var delay = InitialDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (attempt < MaxAttempts)
            {
                // The host's warning; the exception's message names no header or body.
                log.Host($"Failed to proxy request to the worker. Retrying in {delay.TotalMilliseconds}ms. Attempt {attempt} of {MaxAttempts}. {ex.Message}");
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                delay = delay * 2 < MaximumDelay ? delay * 2 : MaximumDelay;
            }
            catch (HttpRequestException ex)
            {
                log.Host($"Reached the maximum retry count for worker request proxying. Error: {ex.Message}");
                throw;
            }
        }
    }
}
