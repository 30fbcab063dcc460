namespace FunctionsApiKey.Tool.Cli;

/// <summary>
/// The tool's three streams. Standard output carries only results (a new key, a table, JSON), so scripts can capture
/// them; everything meant for a person goes to standard error.
/// </summary>
internal sealed record ToolConsole(TextReader In, TextWriter Out, TextWriter Error, bool OutRedirected, bool ErrorRedirected);
