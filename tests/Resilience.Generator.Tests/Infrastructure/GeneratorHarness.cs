using System.Collections.Immutable;
using System.Text;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Generator.Tests.Infrastructure;

/// <summary>Compiles inline sources against .NET 10 + Resilience.Runtime and runs the generator on them.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private static readonly ImmutableArray<MetadataReference> References = Net100.References.All
        .Concat(new MetadataReference[]
        {
            MetadataReference.CreateFromFile(typeof(RetryAttribute).Assembly.Location),
            MetadataReference.CreateFromFile(typeof(IServiceCollection).Assembly.Location),
        })
        .ToImmutableArray();

    /// <summary>
    /// Warnings not counted against generated code: CS1591 (missing XML docs) is reported for the undocumented
    /// public test sources themselves; the generated file disables it on its own.
    /// </summary>
    private static readonly HashSet<string> IgnoredIds = new(StringComparer.Ordinal) { "CS1591" };

    public static CSharpCompilation CreateCompilation(params string[] sources)
        => CSharpCompilation.Create(
            "TestAssembly",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Source{i}.cs", encoding: Encoding.UTF8)),
            References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                warningLevel: 9999,
                optimizationLevel: OptimizationLevel.Release));

    public static GeneratorDriver CreateDriver()
        => CSharpGeneratorDriver.Create(
            new[] { new ResilienceGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorRun Run(params string[] sources) => Run(CreateCompilation(sources));

    public static GeneratorRun Run(Compilation compilation)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return new GeneratorRun(compilation, output, diagnostics, driver.GetRunResult());
    }

    /// <summary>Diagnostics of warning or error severity in the compilation, except <see cref="IgnoredIds"/>.</summary>
    public static IReadOnlyList<Diagnostic> Problems(Compilation compilation)
        => compilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && !IgnoredIds.Contains(d.Id))
            .ToList();

    /// <summary>Fails with every problem and the generated text (numbered) when the output compilation is not clean.</summary>
    public static void AssertClean(GeneratorRun run)
    {
        Assert.Empty(run.GeneratorDiagnostics);
        var inputProblems = Problems(run.Input);
        Assert.True(inputProblems.Count == 0, "The test source itself has problems:\n" + string.Join("\n", inputProblems));
        var problems = Problems(run.Output);
        if (problems.Count == 0)
        {
            return;
        }

        var message = new StringBuilder("The generated code does not compile cleanly:\n");
        foreach (var problem in problems)
        {
            message.AppendLine(problem.ToString());
        }

        foreach (var (hint, text) in run.Sources)
        {
            message.AppendLine().AppendLine("// ---- " + hint);
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                message.Append((i + 1).ToString().PadLeft(4)).Append(": ").AppendLine(lines[i]);
            }
        }

        Assert.Fail(message.ToString());
    }

    /// <summary>Every analyzer of the generator assembly, as the compiler loads them.</summary>
    public static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = typeof(ResilienceGenerator).Assembly
        .GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t))
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    /// <summary>
    /// Compiles <paramref name="source"/> under <paramref name="settings"/>, runs the generator and then every analyzer
    /// and the compiler over the output, as a build does. Unsafe code is allowed. Nothing is asserted.
    /// </summary>
    public static AnalyzedRun RunWithAnalyzers(string source, CompilationSettings settings)
    {
        var parseOptions = new CSharpParseOptions(settings.LanguageVersion, DocumentationMode.Diagnose);
        var compilation = CSharpCompilation.Create(
            "FuzzAssembly",
            new[] { CSharpSyntaxTree.ParseText(source, parseOptions, path: "Source0.cs", encoding: Encoding.UTF8) },
            References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: settings.Nullable,
                generalDiagnosticOption: settings.WarningsAsErrors ? ReportDiagnostic.Error : ReportDiagnostic.Default,
                allowUnsafe: true,
                optimizationLevel: OptimizationLevel.Release,
                specificDiagnosticOptions: new Dictionary<string, ReportDiagnostic> { ["CS1591"] = ReportDiagnostic.Suppress }));
        var driver = CSharpGeneratorDriver.Create(
            new[] { new ResilienceGenerator().AsSourceGenerator() },
            parseOptions: parseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None));
        var runResult = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics).GetRunResult();

        var analyzerExceptions = new List<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            (exception, analyzer, diagnostic) => { lock (analyzerExceptions) { analyzerExceptions.Add(analyzer.GetType().Name + ": " + exception); } },
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        var diagnostics = output.WithAnalyzers(Analyzers, options).GetAllDiagnosticsAsync().GetAwaiter().GetResult();
        var generated = runResult.Results.SelectMany(r => r.GeneratedSources).ToList();
        return new AnalyzedRun(
            generatorDiagnostics,
            runResult.Results.Where(r => r.Exception is not null).Select(r => r.Exception!.ToString()).Concat(analyzerExceptions).ToList(),
            diagnostics,
            generated.Select(s => s.SyntaxTree).ToHashSet(),
            generated.Select(s => (s.HintName, s.SourceText.ToString())).ToList());
    }

    /// <summary>Runs the generator and asserts the output compiles with no warning; returns the run.</summary>
    public static GeneratorRun RunClean(params string[] sources)
    {
        var run = Run(sources);
        AssertClean(run);
        return run;
    }
}

/// <summary>One generator run: the input, the output compilation, and the generated files.</summary>
internal sealed record GeneratorRun(Compilation Input, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics, GeneratorDriverRunResult Result)
{
    public IReadOnlyList<(string HintName, string Text)> Sources
        => Result.Results.SelectMany(r => r.GeneratedSources)
            .Select(s => (s.HintName, s.SourceText.ToString()))
            .OrderBy(s => s.HintName, StringComparer.Ordinal)
            .ToList();

    /// <summary>The single generated file's text.</summary>
    public string Single() => Assert.Single(Sources).Text;

    /// <summary>The generated file whose hint name starts with <paramref name="prefix"/>.</summary>
    public string File(string prefix) => Sources.Single(s => s.HintName.StartsWith(prefix, StringComparison.Ordinal)).Text;
}

/// <summary>The compilation options a fuzz case is checked under.</summary>
internal sealed record CompilationSettings(string Name, LanguageVersion LanguageVersion, NullableContextOptions Nullable, bool WarningsAsErrors);

/// <summary>One generator and analyzer run: what the driver reported, what threw, and every diagnostic of the output.</summary>
internal sealed record AnalyzedRun(
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    IReadOnlyList<string> Exceptions,
    ImmutableArray<Diagnostic> Diagnostics,
    HashSet<SyntaxTree> GeneratedTrees,
    IReadOnlyList<(string HintName, string Text)> Sources);
