using System.Globalization;

namespace FunctionApp.Tests.Tool;

/// <summary>Reading what <c>dotnet apikeys</c> prints: its tables' rows and its times.</summary>
internal static class ToolOutput
{
    /// <summary>A time as the tool prints it in tables: UTC to the minute, e.g. <c>2027-06-30 12:00Z</c>.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy'-'MM'-'dd HH':'mm'Z'", CultureInfo.InvariantCulture);

    /// <summary>The row of standard output's table (or grid) that starts with <paramref name="name"/> and a space.</summary>
    public static string Row(this ProcessRun run, string name) => Assert.Single(run.OutputLines, l => l.StartsWith(name + " ", StringComparison.Ordinal));
}
