using System.Globalization;
using System.Text;
using CsCheck;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Resilience.Generator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Resilience.Generator.Tests.Fuzz;

/// <summary>
/// The generator's promise, checked on random interfaces (<see cref="FuzzCase"/>): every interface either gets a
/// decorator that compiles with no error and no warning, or is rejected by a RES diagnostic on the user's code.
/// Each case is checked under three compilation settings (<see cref="Settings"/>); in none may the generator or an
/// analyzer throw, nor a generated file have an error or a warning. A non-RES error in the user's code is a bug of
/// <see cref="FuzzRenderer"/>, which must only write valid C#.
/// </summary>
/// <remarks>
/// A fixed seed and <see cref="DefaultCases"/> cases per test run. For a long campaign set <c>RES_FUZZ_SEED</c> (a
/// number) and <c>RES_FUZZ_CASES</c>; <c>RES_FUZZ_REPORT</c> names a file that receives a summary of every failure.
/// A failure prints the failing case's CsCheck seed and the smallest failing source CsCheck's shrinking found.
/// </remarks>
public sealed class GeneratorFuzzTests
{
    private const int DefaultCases = 100;
    private const ulong DefaultSeed = 20261202;

    /// <summary>
    /// Nullable on with warnings as errors (the strictest build); nullable off (the generated file enables nullable
    /// itself); and C# 12, the language version of a .NET 8 project, the oldest the generator supports.
    /// </summary>
    internal static readonly CompilationSettings[] Settings =
    {
        new("nullable enable, TreatWarningsAsErrors", LanguageVersion.Latest, NullableContextOptions.Enable, WarningsAsErrors: true),
        new("nullable disable", LanguageVersion.Latest, NullableContextOptions.Disable, WarningsAsErrors: false),
        new("LangVersion 12", LanguageVersion.CSharp12, NullableContextOptions.Enable, WarningsAsErrors: true),
    };

    private readonly ITestOutputHelper _output;

    public GeneratorFuzzTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Random_interfaces_compile_cleanly_or_are_rejected_with_a_RES_diagnostic()
    {
        var seed = ReadEnvironment("RES_FUZZ_SEED", DefaultSeed);
        var cases = (int)ReadEnvironment("RES_FUZZ_CASES", DefaultCases);
        var failures = new List<(string Seed, string Problem)>();
        var outcomes = new int[2];
        var rejections = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < cases; i++)
        {
            var pcg = new PCG(1, seed * 1_000_003UL + (ulong)i);
            var caseSeed = pcg.ToString();
            var fuzzCase = FuzzCase.Gen.Generate(pcg, null, out _);
            var problem = Check(fuzzCase, out var rejected, rejections);
            if ((i + 1) % 500 == 0)
            {
                AppendReport($"progress: {i + 1} cases, {outcomes[0]} clean, {outcomes[1]} rejected, {failures.Count} failed\n");
            }

            if (problem is not null)
            {
                failures.Add((caseSeed, problem));
                AppendReport($"==== case {i}, CsCheck seed {caseSeed}\n{problem}\n");
                if (Environment.GetEnvironmentVariable("RES_FUZZ_REPORT") is null)
                {
                    break;
                }
            }
            else
            {
                outcomes[rejected ? 1 : 0]++;
            }
        }

        var summary = $"seed {seed}: {cases} cases, {outcomes[0]} compiled cleanly, {outcomes[1]} rejected with a RES diagnostic, {failures.Count} failed; cases rejected per id: {string.Join(", ", rejections.Select(p => p.Key + " " + p.Value))}";
        _output.WriteLine(summary);
        AppendReport(summary + "\n");
        if (failures.Count == 0)
        {
            // The fuzz proves something only if enough cases get a decorator (the others exercise the analyzers).
            Assert.True(outcomes[0] >= cases / 10, summary);
            return;
        }

        Assert.Fail($"{summary}\nFirst failure (CsCheck seed {failures[0].Seed}; rerun one case with CsCheck_Seed={failures[0].Seed}):\n{failures[0].Problem}\n\n{Shrink(failures[0].Seed)}");
    }

    /// <summary>The problem of <paramref name="fuzzCase"/> under any setting, or <see langword="null"/> when there is none.</summary>
    internal static string? Check(FuzzCase fuzzCase, out bool rejected, IDictionary<string, int>? rejections = null)
    {
        var (source, needsCSharp13) = FuzzRenderer.Render(fuzzCase);
        rejected = false;
        foreach (var settings in Settings)
        {
            if (needsCSharp13 && settings.LanguageVersion < LanguageVersion.CSharp13)
            {
                continue;
            }

            var problem = Check(source, settings, out var rejectedHere, out var ids);
            if (problem is not null)
            {
                return $"[{settings.Name}]\n{problem}\n---- source\n{source}";
            }

            if (rejectedHere && !rejected && rejections is not null)
            {
                foreach (var id in ids)
                {
                    rejections[id] = rejections.TryGetValue(id, out var count) ? count + 1 : 1;
                }
            }

            rejected |= rejectedHere;
        }

        return null;
    }

    private static string? Check(string source, CompilationSettings settings, out bool rejected, out SortedSet<string> rejectionIds)
    {
        rejectionIds = new SortedSet<string>(StringComparer.Ordinal);
        var run = GeneratorHarness.RunWithAnalyzers(source, settings);
        var problems = new StringBuilder();
        foreach (var exception in run.Exceptions)
        {
            problems.AppendLine("threw: " + exception);
        }

        foreach (var diagnostic in run.GeneratorDiagnostics.Where(d => !d.Id.StartsWith("RES", StringComparison.Ordinal)))
        {
            problems.AppendLine("generator: " + diagnostic);
        }

        rejected = false;
        var userErrors = new List<Diagnostic>();
        foreach (var diagnostic in run.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning))
        {
            if (diagnostic.Location.SourceTree is { } tree && run.GeneratedTrees.Contains(tree))
            {
                problems.AppendLine("in generated code: " + diagnostic);
            }
            else if (diagnostic.Id.StartsWith("RES", StringComparison.Ordinal))
            {
                if (diagnostic.Severity == DiagnosticSeverity.Error)
                {
                    rejected = true;
                    rejectionIds.Add(diagnostic.Id);
                }
            }
            else if (diagnostic.Severity == DiagnosticSeverity.Error)
            {
                userErrors.Add(diagnostic);
            }
        }

        foreach (var error in userErrors)
        {
            problems.AppendLine("in the user's code (a bug of FuzzRenderer, or a case the analyzers should reject): " + error);
        }

        if (problems.Length == 0)
        {
            return null;
        }

        foreach (var (hint, text) in run.Sources)
        {
            problems.AppendLine("---- " + hint);
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                problems.Append((i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(4)).Append(": ").AppendLine(lines[i]);
            }
        }

        return problems.ToString();
    }

    /// <summary>CsCheck's shrinking from the failing seed: the smallest failing case it finds, as source.</summary>
    private static string Shrink(string seed)
    {
        var iterations = (int)ReadEnvironment("RES_FUZZ_SHRINK", 200);
        try
        {
            FuzzCase.Gen.Sample(
                fuzzCase =>
                {
                    var problem = Check(fuzzCase, out _);
                    if (problem is not null)
                    {
                        throw new InvalidOperationException(problem);
                    }
                },
                seed: seed,
                iter: iterations,
                threads: 1,
                print: fuzzCase => "\n" + FuzzRenderer.Render(fuzzCase).Source);
            return "(shrinking did not reproduce the failure)";
        }
        catch (Exception exception)
        {
            return "Shrunk:\n" + exception.Message;
        }
    }

    private static ulong ReadEnvironment(string name, ulong fallback)
        => ulong.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    /// <summary>Appends to the <c>RES_FUZZ_REPORT</c> file as the run goes (progress every 500 cases, each failure, the summary).</summary>
    private static void AppendReport(string text)
    {
        if (Environment.GetEnvironmentVariable("RES_FUZZ_REPORT") is { Length: > 0 } path)
        {
            File.AppendAllText(path, text);
        }
    }
}
