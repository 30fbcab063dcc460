using System.Globalization;
using System.Text;

namespace FunctionApp.Benchmarks;

/// <summary>Prints a result table in Markdown, so it can go into FunctionApp.Benchmarks/README.md as printed.</summary>
internal static class Report
{
    public static void Table(string title, string[] header, IEnumerable<string[]> rows)
    {
        var text = new StringBuilder();
        text.AppendLine().AppendLine($"### {title}").AppendLine();
        text.AppendLine("| " + string.Join(" | ", header) + " |");
        text.AppendLine("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var row in rows)
        {
            text.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        Console.Write(text.ToString());
    }

    public static void Line(string text) => Console.WriteLine(text);

    public static string Ms(double milliseconds) => milliseconds.ToString("N0", CultureInfo.InvariantCulture) + " ms";

    public static string Us(double microseconds) => microseconds.ToString("N0", CultureInfo.InvariantCulture) + " µs";

    public static string N(double value, int decimals = 0) => value.ToString("N" + decimals, CultureInfo.InvariantCulture);

    public static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return Percentile(sorted, 50);
    }
}
