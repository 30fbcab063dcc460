namespace FunctionsApiKey.KeySources;

/// <summary>One key written in configuration, as <see cref="SettingsKeyReader"/> reads it.</summary>
/// <param name="Name">The key's name: the setting's last segment.</param>
/// <param name="Key">The key with what its settings say, or null when its value is not a key.</param>
/// <param name="Errors">Why the app leaves the key out (each naming the setting, never the value); none when it uses it.</param>
public sealed record SettingsKeyEntry(string Name, ApiKey? Key, IReadOnlyList<string> Errors);
