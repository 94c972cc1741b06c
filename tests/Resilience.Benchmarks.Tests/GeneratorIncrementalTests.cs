using System.Reflection;
using Microsoft.CodeAnalysis;
using Resilience.Benchmarks.Generator;

namespace Resilience.Benchmarks.Tests;

/// <summary>The generator benchmark's incremental run must really be incremental: the edit regenerates nothing.</summary>
public sealed class GeneratorIncrementalTests
{
    // The benchmark uses 500; every file has the same shape, so 100 show the same caching in a fraction of the time.
    private const int Interfaces = 100;

    [Fact]
    public void Full_run_generates_one_file_per_interface_and_the_incremental_run_regenerates_nothing()
    {
        var benchmarks = new GeneratorBenchmarks { Interfaces = Interfaces, MethodsPerInterface = 10 };
        benchmarks.Setup();

        (GeneratorDriverRunResult full, GeneratorDriverRunResult incremental) = benchmarks.RunTracked();

        Assert.Empty(full.Diagnostics);
        Assert.Equal(Interfaces, full.GeneratedTrees.Length);
        Assert.Equal(Interfaces, incremental.GeneratedTrees.Length);

        GeneratorRunResult run = Assert.Single(incremental.Results);
        Assert.Null(run.Exception);

        // Every step the generator names (TrackingNames.All) ran and reused or reproduced its previous outputs.
        foreach (string name in GeneratorTrackingNames())
        {
            if (name == "RegistrationSites" && !run.TrackedSteps.ContainsKey(name))
            {
                // A syntax step records nothing when no node passes its predicate: the synthetic solution has no
                // AddResilient<IRepo<…>, …>() call. The step after it (ClosedGenericRegistrations) is still checked.
                continue;
            }

            if (name == "HedgeInterfaces" && !run.TrackedSteps.ContainsKey(name))
            {
                // Likewise: the synthetic solution has no [Hedge] (left out so that the generator numbers of
                // docs/benchmarks.md stay comparable); the shared steps after it are still checked.
                continue;
            }

            Assert.True(run.TrackedSteps.TryGetValue(name, out var steps), $"Tracked step '{name}' did not run.");
            AssertOnlyCachedOrUnchanged(name, steps);
        }

        Assert.NotEmpty(run.TrackedOutputSteps);
        foreach (var (name, steps) in run.TrackedOutputSteps)
        {
            AssertOnlyCachedOrUnchanged(name, steps);
        }
    }

    [Fact]
    public void An_attribute_edit_in_the_same_file_is_seen_as_a_change()
    {
        // The counter-check: the assertion above can fail. Changing an attribute value regenerates that one file.
        var benchmarks = new GeneratorBenchmarks { Interfaces = 5, MethodsPerInterface = 10 };
        benchmarks.Setup();

        (_, GeneratorDriverRunResult incremental) = benchmarks.RunTracked(
            static solution => solution.EditedCompilation("[Retry(MaxRetries = 3, DelayMs = 100)]", "[Retry(MaxRetries = 4, DelayMs = 100)]"));

        GeneratorRunResult run = Assert.Single(incremental.Results);
        IncrementalStepRunReason[] reasons = run.TrackedOutputSteps.Values
            .SelectMany(steps => steps)
            .SelectMany(step => step.Outputs)
            .Select(output => output.Reason)
            .ToArray();
        Assert.Equal(1, reasons.Count(r => r == IncrementalStepRunReason.Modified));
        // The four other interfaces' files, and the closed-generic registration output (empty here: no such call).
        Assert.Equal(4 + 1, reasons.Count(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
    }

    [Fact]
    public void The_edit_changes_one_method_body_and_nothing_else()
    {
        SyntheticSolution solution = SyntheticSolution.Create(interfaces: 3, methodsPerInterface: 10);

        string before = solution.EditedFileOriginal.ToString();
        string after = solution.EditedFileChanged.ToString();

        Assert.Equal(before.Replace("/*edit-here*/", "1000 + ", StringComparison.Ordinal), after);
        Assert.Equal(3, solution.EditedCompilation().SyntaxTrees.Count());
        Assert.Contains(solution.EditedFileChanged, solution.EditedCompilation().SyntaxTrees);
        Assert.DoesNotContain(solution.EditedFileOriginal, solution.EditedCompilation().SyntaxTrees);
    }

    private static void AssertOnlyCachedOrUnchanged(string name, IEnumerable<IncrementalGeneratorRunStep> steps)
    {
        foreach (IncrementalGeneratorRunStep step in steps)
        {
            foreach ((object _, IncrementalStepRunReason reason) in step.Outputs)
            {
                Assert.True(
                    reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"Step '{name}' reported {reason} after an edit of one method body.");
            }
        }
    }

    // TrackingNames is internal to the generator; read its list so the test follows the generator's own names.
    private static string[] GeneratorTrackingNames()
    {
        Type trackingNames = GeneratorBenchmarks.GeneratorAssembly.GetType("Resilience.Generator.Helpers.TrackingNames", throwOnError: true)!;
        string[] names = (string[])trackingNames.GetField("All", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        Assert.NotEmpty(names);
        return names;
    }
}
