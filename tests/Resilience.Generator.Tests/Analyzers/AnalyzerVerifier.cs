using System.Collections.Immutable;
using System.Text;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Resilience.Generator.Analyzers;

namespace Resilience.Generator.Tests.Analyzers;

/// <summary>
/// Runs every analyzer of Resilience.Generator over inline sources and compares what they report with the
/// expectations marked in the source: <c>{|RES0001:text|}</c> means exactly one RES0001 whose location is exactly
/// <c>text</c>. Anything reported but not marked fails the test, so unmarked sources prove the absence of
/// diagnostics. The sources must compile without errors (against .NET 10 reference assemblies and
/// Resilience.Runtime), with common namespaces imported globally.
/// </summary>
/// <remarks>
/// Written instead of Microsoft.CodeAnalysis.CSharp.Analyzer.Testing 1.1.4: that package only restores with
/// Workspaces 3.7 against Roslyn 4.14 (NU1608) and downloads reference packs at test time.
/// </remarks>
internal static class AnalyzerVerifier
{
    private const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Resilience;
        """;

    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = typeof(ResilientInterfaceAnalyzer).Assembly
        .GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t))
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    private static readonly ImmutableArray<MetadataReference> References = Net100.References.All
        .Cast<MetadataReference>()
        .Append(MetadataReference.CreateFromFile(typeof(RetryAttribute).Assembly.Location))
        .ToImmutableArray();

    /// <summary>Every analyzer in the generator assembly, as loaded by the compiler.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> AllAnalyzers => Analyzers;

    /// <summary>Every diagnostic the analyzers report for <paramref name="source"/> (which must compile), without expectations.</summary>
    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string source, bool referenceRuntime = true)
    {
        Assert.DoesNotContain("{|", source);
        return await RunAsync(Compile(new[] { source }, new List<Expected>(), referenceRuntime));
    }

    /// <summary>
    /// Verifies one source. <paramref name="severities"/> gives the expected severity of each id marked in it.
    /// Returns the reported diagnostics, in source order, for further assertions on their messages.
    /// </summary>
    public static Task<ImmutableArray<Diagnostic>> VerifyAsync(string markup, params (string Id, DiagnosticSeverity Severity)[] severities)
        => VerifyAsync(new[] { markup }, severities);

    /// <summary>Verifies several source files compiled together (file names <c>Test0.cs</c>, <c>Test1.cs</c>, ...).</summary>
    public static async Task<ImmutableArray<Diagnostic>> VerifyAsync(string[] markups, params (string Id, DiagnosticSeverity Severity)[] severities)
    {
        var expected = new List<Expected>();
        var actual = await RunAsync(Compile(markups, expected));

        var problems = new StringBuilder();
        var unmatched = new List<Diagnostic>(actual);
        foreach (var expectation in expected)
        {
            var match = unmatched.FirstOrDefault(d => d.Id == expectation.Id
                && d.Location.SourceTree?.FilePath == expectation.Path
                && d.Location.SourceSpan == expectation.Span);
            if (match is null)
            {
                problems.AppendLine($"missing {expectation.Id} at {expectation.Path} {expectation.Span} '{expectation.Text}'");
                continue;
            }

            unmatched.Remove(match);
            var severity = severities.Where(s => s.Id == expectation.Id).Select(s => (DiagnosticSeverity?)s.Severity).FirstOrDefault();
            if (severity is null)
            {
                problems.AppendLine($"the test gives no expected severity for {expectation.Id}");
            }
            else if (match.Severity != severity)
            {
                problems.AppendLine($"{expectation.Id} at '{expectation.Text}' is {match.Severity}, expected {severity}");
            }
        }

        foreach (var extra in unmatched)
        {
            problems.AppendLine($"unexpected {Describe(extra)}");
        }

        Assert.True(problems.Length == 0, problems + "Reported:" + Environment.NewLine + string.Join(Environment.NewLine, actual.Select(Describe)));
        return actual;
    }

    private static Compilation Compile(string[] markups, List<Expected> expected, bool referenceRuntime = true)
    {
        var trees = new List<SyntaxTree>();
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        for (var i = 0; i < markups.Length; i++)
        {
            var path = $"Test{i}.cs";
            var source = Parse(markups[i], path, expected);
            trees.Add(CSharpSyntaxTree.ParseText(source, parseOptions, path));
        }

        if (referenceRuntime)
        {
            trees.Add(CSharpSyntaxTree.ParseText(GlobalUsings, parseOptions, "GlobalUsings.cs"));
        }

        var compilation = CSharpCompilation.Create(
            "AnalyzerTest",
            trees,
            referenceRuntime ? References : References.RemoveAt(References.Length - 1),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "The test source does not compile:" + Environment.NewLine + string.Join(Environment.NewLine, errors));

        return compilation;
    }

    private static async Task<ImmutableArray<Diagnostic>> RunAsync(Compilation compilation)
    {
        var analyzerExceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            (exception, analyzer, _) => analyzerExceptions.Add(exception),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false);
        var actual = (await compilation.WithAnalyzers(Analyzers, options).GetAnalyzerDiagnosticsAsync())
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToImmutableArray();
        Assert.True(analyzerExceptions.Count == 0, "An analyzer threw: " + string.Join(Environment.NewLine, analyzerExceptions));
        return actual;

    }

    private static string Describe(Diagnostic diagnostic)
    {
        var location = diagnostic.Location;
        var text = location.SourceTree?.GetText().ToString(location.SourceSpan) ?? string.Empty;
        return $"{diagnostic.Id} {diagnostic.Severity} at {location.GetLineSpan()} '{{|{diagnostic.Id}:{text}|}}': {diagnostic.GetMessage()}";
    }

    /// <summary>Strips <c>{|ID:text|}</c> markers from <paramref name="markup"/>, recording each as an expectation.</summary>
    private static string Parse(string markup, string path, List<Expected> expected)
    {
        var builder = new StringBuilder(markup.Length);
        var index = 0;
        while (true)
        {
            var open = markup.IndexOf("{|", index, StringComparison.Ordinal);
            if (open < 0)
            {
                builder.Append(markup, index, markup.Length - index);
                return builder.ToString();
            }

            builder.Append(markup, index, open - index);
            var colon = markup.IndexOf(':', open);
            var close = markup.IndexOf("|}", colon, StringComparison.Ordinal);
            Assert.True(colon > 0 && close > 0, $"Malformed markup at {open} in {path}.");
            var id = markup.Substring(open + 2, colon - open - 2);
            var text = markup.Substring(colon + 1, close - colon - 1);
            Assert.DoesNotContain("{|", text);
            expected.Add(new Expected(id, path, new TextSpan(builder.Length, text.Length), text));
            builder.Append(text);
            index = close + 2;
        }
    }

    private sealed record Expected(string Id, string Path, TextSpan Span, string Text);
}
