using FunctionsApiKey.SharedRing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsApiKey.Tool.Commands;

/// <summary>
/// After <c>create</c>, <c>rotate</c> or <c>revoke</c> in the vault of an app that follows the shared ring, publishes the
/// ring's next generation at once, so every instance takes the change at its next poll instead of at the publisher
/// timer's next run. The key change has happened by then: a ring that cannot be published is a warning, and the timer
/// publishes the change within its schedule.
/// </summary>
internal static class RingPublication
{
    private const string Fallback = "the app's PublishKeyRing timer publishes the change within its schedule (ApiKeys__PublishSchedule).";

    public static async Task AfterChangeAsync(ToolContext context, CancellationToken cancellationToken)
    {
        var reasons = new ReasonLogger();
        SharedRingPublisher? publisher;
        try
        {
            publisher = context.RingPublisher(reasons);
        }
        catch (OptionsValidationException ex)
        {
            context.Note($"Warning: the shared ring was not published, since the app's settings would not start it: {string.Join(" ", ex.Failures)} Until that is fixed, {Fallback}");
            return;
        }

        if (publisher is null)
        {
            return;
        }

        using (publisher)
        {
            // The ring carries the properties the publisher knows, and the tool knows only the packages' own. Were a key
            // to have a property that only the app declares, the tool's ring would drop it: leave publishing to the app.
            var unknown = await UnknownPropertyAsync(context, cancellationToken).ConfigureAwait(false);
            if (unknown is { } found)
            {
                context.Note($"The shared ring was not published: key '{KeyView.Printable(found.Key)}' has the tag '{KeyView.Printable(found.Tag)}', a property the tool does not know, which a ring it wrote would not carry. {char.ToUpperInvariant(Fallback[0])}{Fallback[1..]}");
                return;
            }

            switch (await publisher.PublishAsync(cancellationToken).ConfigureAwait(false))
            {
                case SharedRingPublishResult.Written:
                    context.Note("Published the shared ring: every instance takes the change at its next poll (ApiKeys__RingPollInterval, 5 s by default).");
                    break;
                case SharedRingPublishResult.Unchanged:
                    context.Note("The shared ring already holds the change.");
                    break;
                case SharedRingPublishResult.Conflict:
                    context.Note($"Warning: the shared ring kept changing under the tool, so it was not published; {Fallback}");
                    break;
                default:
                    context.Note($"Warning: the shared ring was not published ({string.Join(" ", reasons.Messages)}); {Fallback}");
                    break;
            }
        }
    }

    private static async Task<(string Key, string Tag)?> UnknownPropertyAsync(ToolContext context, CancellationToken cancellationToken)
    {
        var known = ToolContext.Declared.Select(p => p.TagName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var key in await context.Store.ListAsync(progress: null, cancellationToken).ConfigureAwait(false))
        {
            if (key.Properties.Keys.FirstOrDefault(tag => !known.Contains(tag)) is { } tag)
            {
                return (key.Name, tag);
            }
        }

        return null;
    }

    /// <summary>What the publisher logs at Warning or above: a failed run's reason, which names no key material.</summary>
    private sealed class ReasonLogger : ILogger
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Messages.Add(formatter(state, exception));
            }
        }
    }
}
