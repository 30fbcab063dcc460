using FunctionsApiKey.Tool.Cli;
using FunctionsApiKey.Tool;

return await ApiKeysCli.RunAsync(args, new ToolConsole(Console.In, StandardOutput.Open(), Console.Error, Console.IsOutputRedirected, Console.IsErrorRedirected));

/// <summary>
/// The tool's entry point stays internal: the packages bring ASP.NET Core's shared framework, whose source generator
/// would otherwise make a top-level <c>Program</c> public (for web test hosts), and so part of the tool's API.
/// </summary>
internal sealed partial class Program;
