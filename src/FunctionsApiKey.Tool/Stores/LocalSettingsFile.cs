using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using FunctionsApiKey.Tool.Cli;

namespace FunctionsApiKey.Tool.Stores;

/// <summary>
/// A local.settings.json read for its <c>Values</c>, and edited in place: a change replaces, adds or removes one
/// property's bytes and leaves every other byte of the file as it was (comments, formatting, escapes, other settings).
/// The file is written atomically (a temporary file beside the target, then a rename) to the target of a symbolic link,
/// with the file's mode. What cannot be kept exactly is refused, with exit 9, before anything is written: invalid UTF-8,
/// a <c>Values</c> that is not an object, a property given twice, or two settings whose names differ only in case
/// (which the app reads as one).
/// </summary>
internal sealed class LocalSettingsFile
{
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private static readonly JsonSerializerOptions StringOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly string _file;
    private readonly int _bomLength;
    private byte[] _bytes;
    private List<Setting> _values = [];
    private int _valuesOpen; // -1: the file has no Values
    private int _valuesClose;

    private LocalSettingsFile(string file, byte[] bytes)
    {
        _file = file;
        _bytes = bytes;
        _bomLength = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        Parse();
    }

    /// <summary>The settings of <c>Values</c>, in the file's order: each name and its string (a non-string value as its JSON text).</summary>
    public IEnumerable<KeyValuePair<string, string?>> Values => _values.Select(v => KeyValuePair.Create(v.Name, v.Value));

    /// <summary>Reads <paramref name="file"/>; a file it could not write back exactly is refused (exit 9).</summary>
    public static LocalSettingsFile Read(string file)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ToolException(ExitCodes.SettingsFile, $"{file} cannot be read: {ex.Message}", ex);
        }

        if (!Utf8.IsValid(bytes))
        {
            throw new ToolException(ExitCodes.SettingsFile, $"{file} is not valid UTF-8; the tool would have to change bytes it does not own to write it. Save it as UTF-8, then run the command again.");
        }

        return new LocalSettingsFile(file, bytes);
    }

    /// <summary>Sets the setting named <paramref name="name"/> (in any letter case, as the app reads it) to <paramref name="value"/>.</summary>
    public void Set(string name, string value)
    {
        if (_valuesOpen < 0)
        {
            throw Refused("has no \"Values\" object; add \"Values\": {} for the tool to write keys into");
        }

        var encoded = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value, StringOptions));
        if (Find(name) is { } existing)
        {
            Splice(existing.ValueStart, existing.ValueEnd, encoded);
            return;
        }

        var property = Encoding.UTF8.GetBytes($"{JsonSerializer.Serialize(name, StringOptions)}: ");
        if (_values.Count == 0)
        {
            var lineStart = _bytes.AsSpan(0, _valuesOpen).LastIndexOfAny((byte)'\n', (byte)'\r') + 1;
            var valuesIndent = Indent(lineStart + _bytes.AsSpan(lineStart, _valuesOpen - lineStart).IndexOfAnyExcept((byte)' ', (byte)'\t')) ?? string.Empty;
            Splice(_valuesOpen + 1, _valuesOpen + 1, [.. Encoding.UTF8.GetBytes(NewLine + valuesIndent + "  "), .. property, .. encoded, .. Encoding.UTF8.GetBytes(NewLine + valuesIndent)]);
            return;
        }

        // On a line of its own when the settings are one to a line, else on the same line.
        var last = _values[^1];
        var separator = Indent(last.NameStart) is { } indent ? "," + NewLine + indent : ", ";
        Splice(last.ValueEnd, last.ValueEnd, [.. Encoding.UTF8.GetBytes(separator), .. property, .. encoded]);
    }

    /// <summary>Removes the setting named <paramref name="name"/> (in any letter case), if there is one.</summary>
    public void Remove(string name)
    {
        if (Find(name) is not { } existing)
        {
            return;
        }

        var index = _values.IndexOf(existing);
        if (index > 0)
        {
            // From the end of the setting before it: its comma, the line break, and the setting.
            Splice(_values[index - 1].ValueEnd, existing.ValueEnd, []);
        }
        else if (_values.Count > 1)
        {
            Splice(existing.NameStart, _values[1].NameStart, []);
        }
        else
        {
            Splice(_valuesOpen + 1, _valuesClose, []);
        }
    }

    /// <summary>
    /// Writes the file back: to a temporary file beside the target, with the target's mode, renamed over it; a symbolic
    /// link stays a link to the updated target.
    /// </summary>
    public void Save()
    {
        var target = File.ResolveLinkTarget(_file, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(_file);
        var temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = File.GetUnixFileMode(target);
            }

            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(_bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new ToolException(ExitCodes.SettingsFile, $"{_file} cannot be written: {ex.Message}", ex);
        }
    }

    private string NewLine => _bytes.AsSpan().IndexOf("\r\n"u8) >= 0 ? "\r\n" : "\n";

    private Setting? Find(string name) => _values.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The white space that starts the line holding <paramref name="position"/>, up to it; null when something else precedes it there.</summary>
    private string? Indent(int position)
    {
        var lineStart = _bytes.AsSpan(0, position).LastIndexOfAny((byte)'\n', (byte)'\r') + 1;
        var before = _bytes.AsSpan(lineStart, position - lineStart);
        return before.IndexOfAnyExcept((byte)' ', (byte)'\t') >= 0 ? null : Encoding.UTF8.GetString(before);
    }

    private void Splice(int start, int end, byte[] replacement)
    {
        byte[] bytes = [.. _bytes.AsSpan(0, start), .. replacement, .. _bytes.AsSpan(end)];
        _bytes = bytes;
        Parse();
    }

    /// <summary>Finds <c>Values</c> and its settings' positions, refusing what could not be written back exactly.</summary>
    private void Parse()
    {
        var json = _bytes.AsSpan(_bomLength);
        var reader = new Utf8JsonReader(json, ReaderOptions);
        var rootNames = new HashSet<string>(StringComparer.Ordinal);
        int? valuesOpen = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Refused("is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                if (!rootNames.Add(name))
                {
                    throw Refused($"has the property \"{name}\" twice; keep one");
                }

                reader.Read();
                if (name != "Values")
                {
                    reader.Skip();
                    continue;
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw Refused("has a \"Values\" that is not an object; the Functions host reads settings only from \"Values\": { \"NAME\": \"value\", … }");
                }

                valuesOpen = _bomLength + (int)reader.TokenStartIndex;
                _values = ReadValues(ref reader);
                _valuesClose = _bomLength + (int)reader.TokenStartIndex;
            }

            if (reader.Read())
            {
                throw Refused("has more after its closing brace");
            }
        }
        catch (JsonException ex)
        {
            throw new ToolException(ExitCodes.SettingsFile, $"{_file} is not valid JSON: {ex.Message}", ex);
        }

        _valuesOpen = valuesOpen ?? -1;
    }

    private List<Setting> ReadValues(ref Utf8JsonReader reader)
    {
        var settings = new List<Setting>();
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            var nameStart = _bomLength + (int)reader.TokenStartIndex;
            if (names.TryGetValue(name, out var other))
            {
                throw Refused(other == name
                    ? $"has the setting \"{name}\" twice in \"Values\"; keep one"
                    : $"has the settings \"{other}\" and \"{name}\" in \"Values\", which the app reads as one setting; keep one");
            }

            names.Add(name, name);
            reader.Read();
            var valueStart = _bomLength + (int)reader.TokenStartIndex;
            string? value;
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.Null)
            {
                value = reader.GetString();
            }
            else
            {
                reader.Skip();
                value = Encoding.UTF8.GetString(_bytes, valueStart, _bomLength + (int)reader.BytesConsumed - valueStart);
            }

            var valueEnd = _bomLength + (int)reader.BytesConsumed;
            settings.Add(new Setting(name, value, nameStart, valueStart, valueEnd));
        }

        return settings;
    }

    private ToolException Refused(string problem) =>
        new(ExitCodes.SettingsFile, $"{_file} {problem}. The tool writes only what it can keep exactly as it was, so it changed nothing.");

    private sealed record Setting(string Name, string? Value, int NameStart, int ValueStart, int ValueEnd);
}
