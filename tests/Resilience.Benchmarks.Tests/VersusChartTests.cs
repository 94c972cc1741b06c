using Resilience.Benchmarks.Charts;

namespace Resilience.Benchmarks.Tests;

/// <summary>The chart drawn from BenchmarkDotNet's CSV reports (<c>-- chart</c>).</summary>
public sealed class VersusChartTests
{
    private const string Header = "Method,Job,IterationCount,Mean,Error,StdDev,Ratio,vs Polly,Allocated";

    [Theory]
    [InlineData("1.325 ns", 1.325)]
    [InlineData("\"1,042.7 ns\"", 1042.7)]
    [InlineData("1,042.7 ns", 1042.7)]
    [InlineData("3.07 μs", 3070)]
    [InlineData("3.07 us", 3070)]
    [InlineData("842.7 ms", 842_700_000)]
    [InlineData("1.2 s", 1_200_000_000)]
    public void Time_cells_are_read_in_nanoseconds(string cell, double expected) =>
        Assert.Equal(expected, VersusChart.ParseNanoseconds(cell.Trim('"')), 6);

    [Theory]
    [InlineData("108.8")]
    [InlineData("108.8 parsecs")]
    public void A_cell_that_is_not_a_time_says_what_it_expected(string cell) =>
        Assert.Contains("108.8", Assert.Throws<FormatException>(() => VersusChart.ParseNanoseconds(cell)).Message);

    [Fact]
    public void A_report_gives_the_three_means_with_quoted_thousands()
    {
        string csv = $"{Header}\nDirect,Job-A,15,3.2 ns,1.2 ns,1 ns,1.00,0.00,0 B\n"
            + "Generated,Job-A,15,325.7 ns,50.5 ns,40 ns,101.8,0.31,0 B\n"
            + "PollyV8,Job-A,15,\"1,042.7 ns\",169.3 ns,150 ns,325.8,1.00,40 B\n";

        VersusChart.Scenario scenario = Assert.Single(VersusChart.ReadReport("Full stack", csv));

        Assert.Equal(new VersusChart.Scenario("Full stack", 3.2, 325.7, 1042.7), scenario);
    }

    [Fact]
    public void A_report_without_a_Polly_row_is_not_a_scenario()
    {
        string csv = $"{Header}\nDirect,Job-A,15,3.2 ns,1 ns,1 ns,1,0,0 B\nGenerated,Job-A,15,5 ns,1 ns,1 ns,1,0,0 B\n";

        Assert.Empty(VersusChart.ReadReport("Primitives", csv));
    }

    [Fact]
    public void A_parameterized_report_gives_one_scenario_per_parameter_value()
    {
        const string header = "Method,Job,Scenario,Mean,Allocated";
        string csv = $"{header}\nDirect,J,Bulkhead,2 ns,0 B\nGenerated,J,Bulkhead,200 ns,0 B\nPollyV8,J,Bulkhead,\"100,000 ns\",0 B\n"
            + "Direct,J,RateLimit,3 ns,0 B\nGenerated,J,RateLimit,500 ns,0 B\nPollyV8,J,RateLimit,\"110,000 ns\",0 B\n";

        Assert.Equal(
            [
                new VersusChart.Scenario("Rejection storm (Scenario=Bulkhead)", 2, 200, 100_000),
                new VersusChart.Scenario("Rejection storm (Scenario=RateLimit)", 3, 500, 110_000),
            ],
            VersusChart.ReadReport("Rejection storm", csv));
    }

    [Fact]
    public void A_csv_without_Mean_is_refused_with_a_reason() =>
        Assert.Contains("Mean", Assert.Throws<FormatException>(() => VersusChart.ReadReport("x", "Method,Job\nDirect,A\n")).Message);

    [Fact]
    public void The_svg_draws_each_bar_relative_to_Polly_and_labels_it()
    {
        var scenarios = new[]
        {
            new VersusChart.Scenario("Retry breaker", 2, 100, 400),
            new VersusChart.Scenario("Full stack", 3, 300, 1200),
        };

        string svg = VersusChart.Render(scenarios, "test machine");

        Assert.StartsWith("<svg", svg);
        Assert.EndsWith("</svg>\n", svg);
        Assert.Contains(">Retry breaker</text>", svg);
        Assert.Contains("100.0 ns  (0.25 of Polly)", svg);
        Assert.Contains("1.20 μs", svg);
        Assert.Contains("test machine", svg);
        // Generated is a quarter of Polly in both scenarios: both generated bars have the same width, a quarter of Polly's.
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(svg, "width=\"102.5\" height=\"14\" fill=\"#1565c0\"").Count);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(svg, "width=\"410\" height=\"14\" fill=\"#ef6c00\"").Count);
    }

    [Fact]
    public void Reading_a_results_folder_finds_the_scenarios_by_class_name()
    {
        string dir = Directory.CreateTempSubdirectory("chart").FullName;
        try
        {
            File.WriteAllText(
                Path.Combine(dir, "Resilience.Benchmarks.Runtime.RetryBreakerBenchmarks-report.csv"),
                $"{Header}\nDirect,J,15,1 ns,0 ns,0 ns,1,0,0 B\nGenerated,J,15,2 ns,0 ns,0 ns,1,0,0 B\nPollyV8,J,15,4 ns,0 ns,0 ns,1,1,0 B\n");
            File.WriteAllText(Path.Combine(dir, "Resilience.Benchmarks.Runtime.PrimitiveBenchmarks-report.csv"), $"{Header}\nX,J,15,1 ns,0,0,1,0,0 B\n");

            VersusChart.Scenario scenario = Assert.Single(VersusChart.Read(dir));

            Assert.Equal("Retry breaker", scenario.Title);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Nothing_to_draw_is_an_error_that_says_what_to_run() =>
        Assert.Contains("run the runtime benchmarks", Assert.Throws<InvalidOperationException>(() => VersusChart.Render([], "x")).Message);
}
