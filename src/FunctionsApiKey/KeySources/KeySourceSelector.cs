using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FunctionsApiKey.KeySources;

/// <summary>
/// The one rule for which source the keys come from: the source <c>ApiKeys:KeySource</c> names; with none named, the
/// app's own source if it added one with <c>AddSource&lt;T&gt;()</c>, else settings. Packages register their sources by
/// name and may default the setting (Key Vault does when a vault URI is set), but none decides here.
/// </summary>
internal static class KeySourceSelector
{
    public const string Settings = "settings";

    private const string KeySourceSetting = ApiKeyDefaults.SectionName + ":" + nameof(ApiKeyOptions.KeySource);

    /// <summary>The source in use, created on first use; throws <see cref="InvalidOperationException"/> naming the setting when none fits.</summary>
    public static IApiKeySource Select(IServiceProvider services)
    {
        var named = services.GetRequiredService<IOptions<ApiKeyOptions>>().Value.KeySource;
        var registrations = services.GetServices<KeySourceRegistration>().ToList();
        var registration = Find(named, registrations) ?? throw new InvalidOperationException(NotRegistered(named!, registrations, ownSourceName: null));
        var source = (IApiKeySource)services.GetRequiredService(registration.Type);

        // The app's own source answers to the name it gives itself.
        if (registration.Name is null && !string.IsNullOrEmpty(named) && !string.Equals(source.Name, named, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(NotRegistered(named, registrations, source.Name));
        }

        return source;
    }

    /// <summary>Whether the keys in settings are the ones in use, without creating any source.</summary>
    public static bool UsesSettings(ApiKeyOptions options, IEnumerable<KeySourceRegistration> registrations) =>
        Find(options.KeySource, [.. registrations]) is { Name: Settings };

    private static KeySourceRegistration? Find(string? named, List<KeySourceRegistration> registrations) =>
        string.IsNullOrEmpty(named)
            ? registrations.LastOrDefault(r => r.Name is null) ?? registrations.Last(r => r.Name == Settings)
            : registrations.LastOrDefault(r => string.Equals(r.Name, named, StringComparison.OrdinalIgnoreCase))
                ?? registrations.LastOrDefault(r => r.Name is null);

    private static string NotRegistered(string named, List<KeySourceRegistration> registrations, string? ownSourceName)
    {
        var names = registrations.Where(r => r.Name is not null).Select(r => r.Name!).Append(ownSourceName).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase);
        return $"{KeySourceSetting} is '{named}', but no key source of that name is registered (registered: {string.Join(", ", names)}). Set it to one of those, or register the source it names in Program.cs.";
    }
}
