using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Resilience.Benchmarks.Generator;
using Xunit.Abstractions;

namespace Resilience.Generator.Tests;

/// <summary>
/// The generated text must not grow: Roslyn parses every generated character on every full run, and the IDE holds
/// it all in memory (docs/benchmarks.md, "Generator"). Measured on the generator benchmark's synthetic project.
/// </summary>
public sealed class GeneratedSizeTests
{
    /// <summary>
    /// Generated characters per decorated method of the first 100 files of <see cref="SyntheticSolution"/> (the
    /// benchmark uses 500; every file has the same five attribute stacks and four return shapes, so 100 measure the
    /// same in a fifth of the time), measured at main's commit c841c98 (2026-12-03): 3,858,940 characters for 1,000
    /// methods (all 500 files: 19,317,140 characters, 3,863.4 a method). A change that makes the generated code
    /// smaller lowers this ceiling to the new value; one that must make it larger raises it deliberately, with the
    /// reason in its commit. To re-measure, run this test and read the value from its output:
    /// <c>dotnet test tests/Resilience.Generator.Tests -c Release --filter "FullyQualifiedName~GeneratedSizeTests"
    /// --logger "console;verbosity=detailed"</c>.
    /// </summary>
    public const double CeilingCharactersPerMethod = 3858.94;

    private const int Interfaces = 100;
    private const int MethodsPerInterface = 10;

    private readonly ITestOutputHelper _output;

    public GeneratedSizeTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Generated_characters_per_decorated_method_stay_at_or_below_the_ceiling()
    {
        var solution = SyntheticSolution.Create(Interfaces, MethodsPerInterface);
        var driver = CSharpGeneratorDriver.Create(
            new[] { new ResilienceGenerator().AsSourceGenerator() },
            parseOptions: solution.ParseOptions);

        var result = driver.RunGenerators(solution.Compilation).GetRunResult();

        Assert.Empty(result.Diagnostics);
        Assert.Equal(Interfaces, result.GeneratedTrees.Length);
        long characters = result.Results.Single().GeneratedSources.Sum(s => (long)s.SourceText.Length);
        double perMethod = (double)characters / (Interfaces * MethodsPerInterface);
        _output.WriteLine($"{characters} characters, {perMethod:F1} per decorated method (ceiling {CeilingCharactersPerMethod:F2}).");
        Assert.True(
            perMethod <= CeilingCharactersPerMethod,
            $"The generated code grew to {perMethod:F1} characters per decorated method, over the ceiling of {CeilingCharactersPerMethod:F1} "
            + $"({characters} characters for {Interfaces} × {MethodsPerInterface} methods). Make it smaller, or raise the ceiling deliberately.");
    }
}
