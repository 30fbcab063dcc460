using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsApiKey.SharedRing;

/// <summary>
/// The publisher, as a timer function every app that references this package gets. The Functions host runs a timer
/// function on one instance at a time (a lease in <c>AzureWebJobsStorage</c>), so there is one publisher whatever the
/// scale. Its schedule is the app setting <c>ApiKeys__PublishSchedule</c> (e.g. <c>*/10 * * * * *</c>).
/// </summary>
public static class PublishKeyRingFunction
{
    /// <summary>Publishes the vault's keys to the shared ring, or does nothing when keys come from elsewhere.</summary>
    /// <param name="timer">The schedule's state, as the host sends it.</param>
    /// <param name="context">The invocation, whose services hold the publisher.</param>
    [Function(SharedRingDefaults.PublisherFunctionName)]
    public static async Task RunAsync([TimerTrigger("%ApiKeys:PublishSchedule%")] TimerInfo timer, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(timer);
        ArgumentNullException.ThrowIfNull(context);
        // Only while the shared ring is the key source in use; its publisher is made only then.
        if (context.InstanceServices.GetService<IApiKeySource>() is SharedRingApiKeySource)
        {
            await context.InstanceServices.GetRequiredService<KeyRingPublisher>().PublishAsync(context.CancellationToken).ConfigureAwait(false);
            return;
        }

        context.GetLogger(SharedRingDefaults.LogCategory).RingPublishSkipped("another source");
    }
}
