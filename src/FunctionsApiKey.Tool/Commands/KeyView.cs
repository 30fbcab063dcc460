using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using FunctionsApiKey.Tool.Stores;

namespace FunctionsApiKey.Tool.Commands;

/// <summary>A key as <c>list</c> and <c>show</c> present it, in a table or as JSON (camelCase, ISO 8601 times in UTC).</summary>
internal sealed record KeyView(
    string Name,
    ImmutableArray<string> Scopes,
    bool Enabled,
    DateTimeOffset? NotBefore,
    DateTimeOffset? ExpiresOn,
    DateTimeOffset? Created,
    DateTimeOffset? LastUsed,
    string? RotatedFrom)
{
    /// <summary>Keys expiring sooner than this are flagged.</summary>
    public static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(14);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static KeyView Of(StoredKey key, IReadOnlyDictionary<string, DateTimeOffset>? lastUse) => new(
        key.Name, key.Scopes, key.Enabled, key.NotBefore, key.ExpiresOn, key.Created,
        lastUse is not null && lastUse.TryGetValue(key.Name, out var used) ? used : null,
        key.RotatedFrom);

    public bool ExpiresSoon(DateTimeOffset now) => ExpiresOn is { } expiry && expiry > now && expiry - now <= ExpiryWarning;

    [JsonIgnore]
    public string ScopesText => Scopes.IsEmpty ? "(every function)" : string.Join(' ', Scopes);

    /// <summary>The key's state at <paramref name="now"/>: what the app would do with it.</summary>
    public string State(DateTimeOffset now) =>
        !Enabled ? "revoked"
        : ExpiresOn <= now ? "expired"
        : NotBefore > now ? "not yet valid"
        : "active";

    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy'-'MM'-'dd HH':'mm'Z'", CultureInfo.InvariantCulture) : "-";

    public static string Days(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{(int)span.TotalDays} d" : span.TotalHours >= 1 ? $"{(int)span.TotalHours} h" : $"{Math.Max(1, (int)span.TotalMinutes)} min";
}
