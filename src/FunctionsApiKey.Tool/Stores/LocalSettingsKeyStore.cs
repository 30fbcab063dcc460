using System.Collections.Immutable;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.KeySources;
using FunctionsApiKey.Tool.Cli;
using Microsoft.Extensions.Configuration;

namespace FunctionsApiKey.Tool.Stores;

/// <summary>
/// Keys in the <c>Values</c> of local.settings.json, for development without a vault, written as the app reads them
/// (<see cref="SettingsKeyReader"/>): <c>ApiKeys__Keys__&lt;name&gt;</c> = <c>sha256:…</c>, with <c>__Scopes</c>,
/// <c>__NotBefore</c>, <c>__ExpiresOn</c> and <c>__Enabled</c>. The rest of the file is kept as it was (comments aside).
/// </summary>
internal sealed class LocalSettingsKeyStore(string file) : IKeyStore
{
    private const string Prefix = "ApiKeys__Keys__";

    public string Description => file;

    public Task<StoredKey?> FindAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(Read().FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase)));

    public Task<IReadOnlyList<StoredKey>> ListAsync(IProgress<int>? progress, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoredKey>>(Read());

    public Task CreateAsync(NewKey key, CancellationToken cancellationToken)
    {
        var document = ToolSettings.ReadDocument(file);
        var values = document["Values"] as JsonObject ?? (JsonObject)(document["Values"] = new JsonObject());
        if (Names(values).Contains(key.Name, StringComparer.OrdinalIgnoreCase))
        {
            throw new ToolException(ExitCodes.NameTaken, $"A key named '{key.Name}' already exists in {file}; choose another name, or rotate it.");
        }

        values[Prefix + key.Name] = key.StoredValue;
        values[$"{Prefix}{key.Name}__Enabled"] = "false";
        if (!key.Scopes.IsEmpty)
        {
            values[$"{Prefix}{key.Name}__Scopes"] = string.Join(' ', key.Scopes);
        }

        if (key.NotBefore is { } notBefore)
        {
            values[$"{Prefix}{key.Name}__NotBefore"] = Iso(notBefore);
        }

        if (key.ExpiresOn is { } expiresOn)
        {
            values[$"{Prefix}{key.Name}__ExpiresOn"] = Iso(expiresOn);
        }

        Write(document);
        return Task.CompletedTask;
    }

    public Task UpdateAsync(string name, bool? enabled, DateTimeOffset? expiresOn, CancellationToken cancellationToken)
    {
        var document = ToolSettings.ReadDocument(file);
        var values = document["Values"] as JsonObject;
        var stored = values is null ? null : Names(values).FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        if (values is null || stored is null)
        {
            throw new ToolException(ExitCodes.NotFound, $"There is no key named '{name}' in {file}.");
        }

        // Enabled is the default, so enabling removes the setting: a new key, stored revoked and enabled once handed
        // over, leaves no trace of that.
        if (enabled == true)
        {
            values.Remove($"{Prefix}{stored}__Enabled");
        }
        else if (enabled == false)
        {
            values[$"{Prefix}{stored}__Enabled"] = "false";
        }

        if (expiresOn is { } expiry)
        {
            values[$"{Prefix}{stored}__ExpiresOn"] = Iso(expiry);
        }

        Write(document);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<(ApiKey Key, bool Excluded)>> LoadAsTheAppDoesAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<(ApiKey, bool)>>([.. SettingsKeyReader.ReadEntries(Configuration()).Where(e => e.Key is not null).Select(e => (e.Key!, e.Errors.Count > 0))]);

    // Through the app's own reader, so that a key it leaves out shows as left out, with its reason.
    private List<StoredKey> Read() =>
        [.. SettingsKeyReader.ReadEntries(Configuration()).Select(entry => new StoredKey(
            entry.Name,
            entry.Errors.Count == 0 ? entry.Key!.Scopes : [],
            entry.Key is not { IsRevoked: true },
            entry.Key?.NotBefore,
            entry.Key?.ExpiresOn,
            Created: null,
            RotatedFrom: null,
            LeftOut: entry.Errors.Count == 0 ? null : string.Join(" ", entry.Errors)))];

    private IConfiguration Configuration()
    {
        var values = ToolSettings.ReadDocument(file)["Values"] as JsonObject ?? [];
        return new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key.Replace("__", ":", StringComparison.Ordinal), v.Value?.GetValueKind() is JsonValueKind.String ? v.Value.GetValue<string>() : v.Value?.ToJsonString())))
            .Build();
    }

    private static IEnumerable<string> Names(JsonObject values) =>
        values.Select(v => v.Key)
            .Where(k => k.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            .Select(k => k[Prefix.Length..])
            .Where(k => !k.Contains("__", StringComparison.Ordinal));

    private void Write(JsonObject document)
    {
        var temporary = file + ".tmp";
        File.WriteAllText(temporary, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + Environment.NewLine);
        File.Move(temporary, file, overwrite: true);
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);
}
