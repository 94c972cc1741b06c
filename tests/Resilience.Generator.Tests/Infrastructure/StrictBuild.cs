using System.Collections.Immutable;
using System.Text;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Resilience.Generator.Analyzers;

namespace Resilience.Generator.Tests.Infrastructure;

/// <summary>
/// Builds a source the way a user's project would: the generator and every analyzer, nullable enabled or disabled,
/// <c>TreatWarningsAsErrors</c>, warning level 9999. Then it asserts what issue 10 asks of every interface: no
/// generator or analyzer exception, nothing at all reported inside generated files, and on the user's code exactly
/// the expected RES diagnostics and nothing else.
/// </summary>
internal static class StrictBuild
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = typeof(ResilientInterfaceAnalyzer).Assembly
        .GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t))
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    private static readonly ImmutableArray<MetadataReference> References = Net100.References.All
        .Concat(new MetadataReference[]
        {
            MetadataReference.CreateFromFile(typeof(RetryAttribute).Assembly.Location),
            MetadataReference.CreateFromFile(typeof(IServiceCollection).Assembly.Location),
        })
        .ToImmutableArray();

    /// <summary>
    /// Reported on the user's sources only and not counted: CS1591 (the test sources have no XML docs), and, with
    /// nullable disabled, CS8632 (a <c>?</c> annotation outside a nullable context: real library code is written
    /// with annotations, and a user copying it into a nullable-disabled project gets exactly this warning).
    /// </summary>
    private static readonly HashSet<string> IgnoredInUserCode = new(StringComparer.Ordinal) { "CS1591", "CS8632" };

    /// <summary>
    /// Builds <paramref name="sources"/> with the nullable context <paramref name="nullable"/> and asserts that the only
    /// diagnostics are the RES ids in <paramref name="expectedIds"/> (each at least once), all on user code.
    /// Returns the run for further assertions.
    /// </summary>
    public static StrictResult Assert(NullableContextOptions nullable, string[] expectedIds, params string[] sources)
    {
        var result = Build(nullable, sources);
        var problems = new StringBuilder();
        if (result.GeneratorException is not null)
        {
            problems.AppendLine("The generator threw: " + result.GeneratorException);
        }

        foreach (var exception in result.AnalyzerExceptions)
        {
            problems.AppendLine("An analyzer threw: " + exception);
        }

        foreach (var diagnostic in result.InGenerated)
        {
            problems.AppendLine("In generated code: " + diagnostic);
        }

        foreach (var diagnostic in result.InUserCode.Where(d => !d.Id.StartsWith("RES", StringComparison.Ordinal)))
        {
            problems.AppendLine("In user code (not RES): " + diagnostic);
        }

        var reported = result.InUserCode.Where(d => d.Id.StartsWith("RES", StringComparison.Ordinal)).Select(d => d.Id).Distinct().OrderBy(id => id, StringComparer.Ordinal).ToList();
        var expected = expectedIds.Distinct().OrderBy(id => id, StringComparer.Ordinal).ToList();
        if (!reported.SequenceEqual(expected))
        {
            problems.AppendLine($"RES ids reported: [{string.Join(", ", reported)}], expected: [{string.Join(", ", expected)}]");
            foreach (var diagnostic in result.InUserCode.Where(d => d.Id.StartsWith("RES", StringComparison.Ordinal)))
            {
                problems.AppendLine("  " + diagnostic);
            }
        }

        if (problems.Length > 0)
        {
            foreach (var (hint, text) in result.Sources)
            {
                problems.AppendLine().AppendLine("// ---- " + hint);
                var lines = text.Split('\n');
                for (var i = 0; i < lines.Length; i++)
                {
                    problems.Append((i + 1).ToString().PadLeft(4)).Append(": ").AppendLine(lines[i]);
                }
            }

            Xunit.Assert.Fail($"nullable {nullable}:\n{problems}");
        }

        return result;
    }

    /// <summary>Generator + analyzers over <paramref name="sources"/>; nothing asserted.</summary>
    public static StrictResult Build(NullableContextOptions nullable, params string[] sources)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.Diagnose);
        var compilation = CSharpCompilation.Create(
            "UserProject",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, parseOptions, path: $"User{i}.cs", encoding: Encoding.UTF8)),
            References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: nullable,
                generalDiagnosticOption: ReportDiagnostic.Error,
                warningLevel: 9999,
                optimizationLevel: OptimizationLevel.Release));

        var driver = CSharpGeneratorDriver.Create(new[] { new ResilienceGenerator().AsSourceGenerator() }, parseOptions: parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var runResult = driver.GetRunResult();
        var generatorException = runResult.Results.Select(r => r.Exception).FirstOrDefault(e => e is not null);

        var analyzerExceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            (exception, _, _) => analyzerExceptions.Add(exception),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false);
        var all = output.WithAnalyzers(Analyzers, options).GetAllDiagnosticsAsync().GetAwaiter().GetResult()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning || d.IsWarningAsError)
            .ToList();

        var generatedPaths = new HashSet<string>(runResult.GeneratedTrees.Select(t => t.FilePath), StringComparer.Ordinal);
        var inGenerated = all.Where(d => d.Location.SourceTree is { } tree && generatedPaths.Contains(tree.FilePath)).ToList();
        var inUser = all.Where(d => !inGenerated.Contains(d) && !IgnoredInUserCode.Contains(d.Id)).ToList();
        var generated = runResult.Results.SelectMany(r => r.GeneratedSources)
            .Select(s => (s.HintName, s.SourceText.ToString()))
            .OrderBy(s => s.HintName, StringComparer.Ordinal)
            .ToList();
        return new StrictResult(generatorException, analyzerExceptions, inGenerated, inUser, generated, output);
    }
}

/// <summary>What <see cref="StrictBuild"/> found.</summary>
internal sealed record StrictResult(
    Exception? GeneratorException,
    IReadOnlyList<Exception> AnalyzerExceptions,
    IReadOnlyList<Diagnostic> InGenerated,
    IReadOnlyList<Diagnostic> InUserCode,
    IReadOnlyList<(string HintName, string Text)> Sources,
    Compilation Output)
{
    /// <summary>The generated file whose hint name starts with <paramref name="prefix"/>.</summary>
    public string File(string prefix) => Sources.Single(s => s.HintName.StartsWith(prefix, StringComparison.Ordinal)).Text;
}
