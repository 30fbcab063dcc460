using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using FunctionsApiKey.Diagnostics;
using FunctionsApiKey.Tool.Stores;

namespace FunctionsApiKey.Tool.Commands;

/// <summary>
/// A key as <c>list</c> and <c>show</c> present it, in a table or as JSON (camelCase, ISO 8601 times in UTC).
/// <c>LastUseTracked</c> says whether the app's settings name a last-use table; without one, nothing about last use is shown.
/// <c>RequestsToday</c> (<c>list</c> only) counts the requests that presented the key this UTC day, from the usage table.
/// <c>LeftOut</c> is why the app leaves the key out, or null: such a key has no scopes that mean anything, and no state
/// but that.
/// </summary>
internal sealed record KeyView(
    string Name,
    ImmutableArray<string> Scopes,
    bool Enabled,
    DateTimeOffset? NotBefore,
    DateTimeOffset? ExpiresOn,
    DateTimeOffset? Created,
    DateTimeOffset? LastUsed,
    string? RotatedFrom,
    string? LeftOut,
    ImmutableSortedDictionary<string, string> Properties,
    [property: JsonIgnore] bool LastUseTracked,
    long? RequestsToday = null)
{
    /// <summary>Keys expiring sooner than this are flagged.</summary>
    public static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(14);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { OmitUntrackedLastUse } },
    };

    /// <param name="key">The key as stored.</param>
    /// <param name="lastUse">Last use by key name; null when the app keeps none (<see cref="LastUseLookup"/>).</param>
    public static KeyView Of(StoredKey key, IReadOnlyDictionary<string, DateTimeOffset>? lastUse) => new(
        key.Name, key.Scopes, key.Enabled, key.NotBefore, key.ExpiresOn, key.Created,
        lastUse is not null && lastUse.TryGetValue(key.Name, out var used) ? used : null,
        key.RotatedFrom,
        key.LeftOut,
        key.Properties,
        LastUseTracked: lastUse is not null);

    public bool ExpiresSoon(DateTimeOffset now) => ExpiresOn is { } expiry && expiry > now && expiry - now <= ExpiryWarning;

    /// <summary>Store text (a tag, a name) as the table and messages show it: no control character reaches the terminal.</summary>
    public static string Printable(string text) => SafeText.Printable(text);

    [JsonIgnore]
    public string ScopesText => LeftOut is not null ? "-" : Scopes.IsEmpty ? "(every function)" : Printable(string.Join(' ', Scopes));

    /// <summary>The other properties as <c>name=value</c>, separated by spaces, or "-".</summary>
    [JsonIgnore]
    public string PropertiesText => Properties.IsEmpty ? "-" : Printable(string.Join(' ', Properties.Select(p => $"{p.Key}={p.Value}")));

    /// <summary>The key's state at <paramref name="now"/>: what the app would do with it.</summary>
    public string State(DateTimeOffset now) =>
        LeftOut is not null ? $"left out by the app: {Printable(LeftOut)}"
        : !Enabled ? "revoked"
        : ExpiresOn <= now ? "expired"
        : NotBefore > now ? "not yet valid"
        : "active";

    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy'-'MM'-'dd HH':'mm'Z'", CultureInfo.InvariantCulture) : "-";

    /// <summary>The last-use cell: the minute, or "never" when the table holds none.</summary>
    [JsonIgnore]
    public string LastUsedText => LastUsed is null ? "never" : Time(LastUsed);

    public static string Days(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{(int)span.TotalDays} d" : span.TotalHours >= 1 ? $"{(int)span.TotalHours} h" : $"{Math.Max(1, (int)span.TotalMinutes)} min";

    /// <summary>
    /// <c>"lastUsed": null</c> means the table holds no use of the key; where the app keeps no last use, the property is
    /// left out, so that a script cannot take "not tracked" for "never used".
    /// </summary>
    private static void OmitUntrackedLastUse(JsonTypeInfo type)
    {
        if (type.Type == typeof(KeyView))
        {
            type.Properties.Single(p => p.Name == "lastUsed").ShouldSerialize = (view, _) => ((KeyView)view).LastUseTracked;
            type.Properties.Single(p => p.Name == "requestsToday").ShouldSerialize = (view, _) => ((KeyView)view).RequestsToday is not null;
        }
    }
}
