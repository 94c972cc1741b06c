using System.Globalization;
using System.Text;

namespace Resilience.Benchmarks.Charts;

/// <summary>
/// Draws the headline comparison (direct call, generated decorator, Polly v8) of every scenario found in
/// BenchmarkDotNet's CSV reports as one SVG, so the chart in the README is regenerated from the numbers:
/// <c>dotnet run -c Release --project benchmarks/Resilience.Benchmarks -- chart BenchmarkDotNet.Artifacts/results docs/benchmarks.svg</c>.
/// </summary>
/// <remarks>
/// A scenario is a report with a <c>Direct</c>, a <c>Generated</c> and a <c>PollyV8</c> row. Each scenario's bars are
/// drawn relative to its Polly mean (Polly's bar spans the full width), because the scenarios' times differ by three
/// orders of magnitude; every bar is labelled with its measured mean.
/// </remarks>
public static class VersusChart
{
    private const string Direct = "Direct";
    private const string Generated = "Generated";
    private const string Polly = "PollyV8";

    private const int Width = 860;
    private const int LabelWidth = 300;
    private const int BarHeight = 14;
    private const int BarGap = 2;
    private const int GroupGap = 16;
    private const int Top = 72;
    private const int BarArea = Width - LabelWidth - 150;

    /// <summary>One scenario: the three means in nanoseconds.</summary>
    /// <param name="Title">The scenario, as the chart names it.</param>
    /// <param name="DirectNs">The direct call's mean.</param>
    /// <param name="GeneratedNs">The generated decorator's mean.</param>
    /// <param name="PollyNs">The Polly v8 pipeline's mean.</param>
    public sealed record Scenario(string Title, double DirectNs, double GeneratedNs, double PollyNs);

    /// <summary>Reads every <c>*-report.csv</c> in <paramref name="resultsDirectory"/> that has the three rows.</summary>
    /// <param name="resultsDirectory">BenchmarkDotNet's <c>results</c> folder.</param>
    /// <returns>The scenarios, ordered by report name.</returns>
    public static IReadOnlyList<Scenario> Read(string resultsDirectory)
    {
        if (!Directory.Exists(resultsDirectory))
        {
            throw new DirectoryNotFoundException(
                $"No BenchmarkDotNet results at '{resultsDirectory}': run the benchmarks first (see docs/benchmarks.md).");
        }

        var scenarios = new List<Scenario>();
        foreach (string file in Directory.GetFiles(resultsDirectory, "*-report.csv").Order(StringComparer.Ordinal))
        {
            string className = Path.GetFileName(file)[..^"-report.csv".Length];
            className = className[(className.LastIndexOf('.') + 1)..];
            scenarios.AddRange(ReadReport(TitleOf(className), File.ReadAllText(file), GeneratedMethodOf(className)));
        }

        return scenarios;
    }

    /// <summary>
    /// Reads one CSV report: one scenario per combination of <c>[Params]</c> values (the columns before <c>Mean</c>
    /// whose values differ between rows) that has the three rows; none when the report lacks them.
    /// </summary>
    /// <param name="title">The scenario's title; a parameterized scenario gets its values appended.</param>
    /// <param name="csv">The report's text.</param>
    /// <param name="generatedMethod">The row that stands for the generated decorator.</param>
    /// <returns>The scenarios, in the report's order.</returns>
    public static IReadOnlyList<Scenario> ReadReport(string title, string csv, string generatedMethod = Generated)
    {
        string[] lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length < 2)
        {
            return [];
        }

        List<string> header = SplitCsvLine(lines[0]);
        int method = header.IndexOf("Method");
        int mean = header.IndexOf("Mean");
        if (method < 0 || mean < 0)
        {
            throw new FormatException($"The report of '{title}' has no Method or Mean column: is it a BenchmarkDotNet CSV report?");
        }

        List<List<string>> rows = [.. lines.Skip(1).Select(SplitCsvLine).Where(cells => cells.Count > Math.Max(method, mean))];
        int[] parameters = [.. Enumerable.Range(0, mean)
            .Where(column => column != method && rows.Select(cells => cells[column]).Distinct(StringComparer.Ordinal).Skip(1).Any())];

        var scenarios = new List<Scenario>();
        foreach (IGrouping<string, List<string>> group in rows.GroupBy(
            cells => string.Join(", ", parameters.Select(column => $"{header[column]}={cells[column]}")), StringComparer.Ordinal))
        {
            var means = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (List<string> cells in group)
            {
                means[cells[method]] = ParseNanoseconds(cells[mean]);
            }

            if (means.TryGetValue(Direct, out double direct)
                && means.TryGetValue(generatedMethod, out double generated)
                && means.TryGetValue(Polly, out double polly))
            {
                scenarios.Add(new Scenario(group.Key.Length == 0 ? title : $"{title} ({group.Key})", direct, generated, polly));
            }
        }

        return scenarios;
    }

    /// <summary>A BenchmarkDotNet time cell (<c>1,042.7 ns</c>, <c>3.07 μs</c>) in nanoseconds.</summary>
    /// <param name="cell">The cell's text.</param>
    /// <returns>The time in nanoseconds.</returns>
    public static double ParseNanoseconds(string cell)
    {
        string text = cell.Trim();
        int space = text.LastIndexOf(' ');
        if (space < 0)
        {
            throw new FormatException($"'{cell}' is not a time with a unit (expected e.g. '108.8 ns').");
        }

        double factor = text[(space + 1)..] switch
        {
            "ns" => 1,
            "μs" or "us" or "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            string unit => throw new FormatException($"Unknown time unit '{unit}' in '{cell}'."),
        };
        return double.Parse(text[..space], NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture) * factor;
    }

    /// <summary>The SVG of <paramref name="scenarios"/>.</summary>
    /// <param name="scenarios">What to draw, in order.</param>
    /// <param name="caption">A line under the title (e.g. the machine and the date).</param>
    /// <returns>The SVG document.</returns>
    public static string Render(IReadOnlyList<Scenario> scenarios, string caption)
    {
        if (scenarios.Count == 0)
        {
            throw new InvalidOperationException(
                "No report has Direct, Generated and PollyV8 rows: run the runtime benchmarks (e.g. --filter '*') first.");
        }

        int groupHeight = (3 * BarHeight) + (2 * BarGap);
        int height = Top + (scenarios.Count * (groupHeight + GroupGap)) + 24;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" ")
            .Append(CultureInfo.InvariantCulture, $"viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n")
            .Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n")
            .Append("<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">")
            .Append("Time per call: direct, generated decorator, Polly v8 (bars relative to Polly)</text>\n")
            .Append("<text x=\"10\" y=\"38\" fill=\"#555\">").Append(Escape(caption)).Append("</text>\n");
        Legend(svg, 10, 58);

        int y = Top;
        foreach (Scenario scenario in scenarios)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth - 8}\" y=\"{y + BarHeight + BarGap + 11}\" text-anchor=\"end\">")
                .Append(Escape(scenario.Title)).Append("</text>\n");
            Bar(svg, y, scenario.DirectNs, scenario.PollyNs, "#9e9e9e", null);
            Bar(svg, y + BarHeight + BarGap, scenario.GeneratedNs, scenario.PollyNs, "#1565c0", scenario.GeneratedNs / scenario.PollyNs);
            Bar(svg, y + (2 * (BarHeight + BarGap)), scenario.PollyNs, scenario.PollyNs, "#ef6c00", null);
            y += groupHeight + GroupGap;
        }

        return svg.Append("</svg>\n").ToString();
    }

    private static void Legend(StringBuilder svg, int x, int y)
    {
        (string Name, string Colour)[] items = [("Direct", "#9e9e9e"), ("Generated", "#1565c0"), ("Polly v8", "#ef6c00")];
        int left = x;
        foreach ((string name, string colour) in items)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{y - 10}\" width=\"12\" height=\"12\" fill=\"{colour}\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{left + 16}\" y=\"{y}\">{name}</text>\n");
            left += 90;
        }
    }

    private static void Bar(StringBuilder svg, int y, double ns, double pollyNs, string colour, double? ratio)
    {
        double width = Math.Max(1, Math.Min(1.0, ns / pollyNs) * BarArea);
        string label = FormatTime(ns) + (ratio is double r ? string.Create(CultureInfo.InvariantCulture, $"  ({r:0.00} of Polly)") : "");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{LabelWidth}\" y=\"{y}\" width=\"{width:0.#}\" height=\"{BarHeight}\" fill=\"{colour}\"/>")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth + width + 4:0.#}\" y=\"{y + 11}\">{Escape(label)}</text>\n");
    }

    /// <summary>A time in the unit BenchmarkDotNet would pick.</summary>
    /// <param name="ns">Nanoseconds.</param>
    /// <returns>For example <c>108.8 ns</c> or <c>3.07 μs</c>.</returns>
    public static string FormatTime(double ns) => ns switch
    {
        < 1e3 => string.Create(CultureInfo.InvariantCulture, $"{ns:0.0} ns"),
        < 1e6 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e3:0.00} μs"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e6:0.00} ms"),
    };

    /// <summary>
    /// The row compared with Polly: <c>Generated</c>, except where the class's Polly pipeline has a strategy that
    /// <c>Generated</c> lacks (hedging).
    /// </summary>
    /// <param name="className">The benchmark class.</param>
    /// <returns>The method name.</returns>
    public static string GeneratedMethodOf(string className) =>
        className == "HedgeBenchmarks" ? "GeneratedHedged" : Generated;

    /// <summary>The chart's name for a benchmark class: its name without <c>Benchmarks</c>, words split.</summary>
    /// <param name="className">For example <c>RetryBreakerBenchmarks</c>.</param>
    /// <returns>For example <c>Retry breaker</c>.</returns>
    public static string TitleOf(string className)
    {
        string name = className.EndsWith("Benchmarks", StringComparison.Ordinal) ? className[..^"Benchmarks".Length] : className;
        var title = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1]))
            {
                title.Append(' ').Append(char.ToLowerInvariant(name[i]));
            }
            else
            {
                title.Append(name[i]);
            }
        }

        return title.ToString();
    }

    private static List<string> SplitCsvLine(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);
}
