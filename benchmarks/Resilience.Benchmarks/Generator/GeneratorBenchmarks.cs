using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Resilience.Generator;

namespace Resilience.Benchmarks.Generator;

/// <summary>
/// Time and memory of the generator on a synthetic project of <see cref="Interfaces"/> interfaces ×
/// <see cref="MethodsPerInterface"/> decorated methods: a full run (new driver, fresh compilation) and an incremental
/// run after one method body changed in one file (warm driver), as in an editor, and one after a keystroke in a
/// declaration (an attribute argument). The same runs of
/// <see cref="TrivialGenerator"/> (the same attribute pipelines, nothing else) give the floor that Roslyn itself
/// costs, from the same run: the IDE target is IncrementalRun within 1.5 × TrivialIncrementalRun.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private SyntheticSolution _solution = null!;
    private GeneratorDriver _warmDriver = null!;
    private GeneratorDriver _warmTrivialDriver = null!;
    private int _declarationKeystrokes;

    /// <summary>The generator's assembly (the tests read its tracking names from it).</summary>
    public static System.Reflection.Assembly GeneratorAssembly => typeof(ResilienceGenerator).Assembly;

    /// <summary>
    /// Interfaces for new instances (500). The dry-run tests lower it, since BenchmarkDotNet's in-process toolchain
    /// creates the instances itself; a real run never changes it.
    /// </summary>
    public static int DefaultInterfaces { get; set; } = 500;

    /// <summary>Interfaces (files) in the synthetic project.</summary>
    public int Interfaces { get; set; } = DefaultInterfaces;

    /// <summary>Decorated methods per interface.</summary>
    public int MethodsPerInterface { get; set; } = 10;

    /// <summary>Parses the project and warms a driver on it (the state an editor holds before the edit).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _solution = SyntheticSolution.Create(Interfaces, MethodsPerInterface);
        _warmDriver = CreateDriver(trackSteps: false).RunGenerators(_solution.Compilation);
        _warmTrivialDriver = CreateDriver(new TrivialGenerator(), trackSteps: false).RunGenerators(_solution.Compilation);
    }

    /// <summary>A new driver over a fresh copy of the compilation (no symbols bound yet): everything is generated.</summary>
    [Benchmark(Baseline = true)]
    public GeneratorDriver FullRun() => CreateDriver(trackSteps: false).RunGenerators(_solution.Compilation.Clone());

    /// <summary>The warm driver after one method body changed in one file: nothing should be regenerated.</summary>
    [Benchmark]
    public GeneratorDriver IncrementalRun() => _warmDriver.RunGenerators(_solution.EditedCompilation());

    /// <summary>As <see cref="FullRun"/>, with <see cref="TrivialGenerator"/>: the floor of a full run.</summary>
    [Benchmark]
    public GeneratorDriver TrivialFullRun() => CreateDriver(new TrivialGenerator(), trackSteps: false).RunGenerators(_solution.Compilation.Clone());

    /// <summary>As <see cref="IncrementalRun"/>, with <see cref="TrivialGenerator"/>: the floor of a keystroke.</summary>
    [Benchmark]
    public GeneratorDriver TrivialIncrementalRun() => _warmTrivialDriver.RunGenerators(_solution.EditedCompilation());

    /// <summary>
    /// The warm driver after a keystroke in a declaration (an attribute argument of the edited file, a new value each
    /// time): the declarations changed, so every interface is bound again, and only the edited one is regenerated.
    /// </summary>
    [Benchmark]
    public GeneratorDriver IncrementalDeclarationRun() => _warmDriver.RunGenerators(_solution.DeclarationEditedCompilation(++_declarationKeystrokes));

    /// <summary>As <see cref="IncrementalDeclarationRun"/>, with <see cref="TrivialGenerator"/>.</summary>
    [Benchmark]
    public GeneratorDriver TrivialIncrementalDeclarationRun() => _warmTrivialDriver.RunGenerators(_solution.DeclarationEditedCompilation(++_declarationKeystrokes));

    /// <summary>
    /// The same two runs with step tracking on, for the tests: the full run's result, and the incremental run's
    /// result after the edit. Call after <see cref="Setup"/>.
    /// </summary>
    public (GeneratorDriverRunResult Full, GeneratorDriverRunResult Incremental) RunTracked()
        => RunTracked(static solution => solution.EditedCompilation());

    /// <summary>As <see cref="RunTracked()"/>, with the project after the edit given by <paramref name="edit"/>.</summary>
    public (GeneratorDriverRunResult Full, GeneratorDriverRunResult Incremental) RunTracked(Func<SyntheticSolution, Compilation> edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        GeneratorDriver driver = CreateDriver(trackSteps: true).RunGenerators(_solution.Compilation.Clone());
        GeneratorDriverRunResult full = driver.GetRunResult();
        GeneratorDriverRunResult incremental = driver.RunGenerators(edit(_solution)).GetRunResult();
        return (full, incremental);
    }

    private GeneratorDriver CreateDriver(bool trackSteps) => CreateDriver(new ResilienceGenerator(), trackSteps);

    private GeneratorDriver CreateDriver(IIncrementalGenerator generator, bool trackSteps) => CSharpGeneratorDriver.Create(
        [generator.AsSourceGenerator()],
        parseOptions: _solution.ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackSteps));
}
