using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;

namespace FunctionsApiKey.Tool.Cli;

/// <summary>
/// The SDK's exponential retries, with one difference for a command line: the SDK waits as long as a response's
/// <c>Retry-After</c> asks, past its own maximum delay, so a throttled vault could keep the tool silent for minutes.
/// Here a request the service wants retried later than <paramref name="maxDelay"/> is not retried: its failure (429,
/// exit 7, "try again in a minute") is reported at once. Shorter waits are honoured as usual.
/// </summary>
internal sealed class BoundedRetryPolicy(int maxRetries, TimeSpan delay, TimeSpan maxDelay)
    : RetryPolicy(maxRetries, DelayStrategy.CreateExponentialDelayStrategy(delay, maxDelay))
{
    protected override bool ShouldRetry(HttpMessage message, Exception? exception) =>
        base.ShouldRetry(message, exception) && !AsksToWaitLonger(message);

    protected override async ValueTask<bool> ShouldRetryAsync(HttpMessage message, Exception? exception) =>
        await base.ShouldRetryAsync(message, exception).ConfigureAwait(false) && !AsksToWaitLonger(message);

    // Retry-After, in seconds or as a date, is what Key Vault and Table Storage send when they throttle.
    private bool AsksToWaitLonger(HttpMessage message) =>
        message.HasResponse
        && message.Response.Headers.TryGetValue("Retry-After", out var text)
        && (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? TimeSpan.FromSeconds(seconds)
            : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date - DateTimeOffset.UtcNow
            : TimeSpan.Zero) > maxDelay;
}
