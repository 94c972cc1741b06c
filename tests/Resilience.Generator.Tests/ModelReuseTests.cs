using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Resilience.Generator.Tests.Infrastructure;

namespace Resilience.Generator.Tests;

/// <summary>
/// Models reused across compilations that declare the same things (<c>ModelReuse</c>): a body edit binds nothing
/// again, every edit that can change a model binds again, and a warm driver's output always equals a cold one's.
/// </summary>
public sealed class ModelReuseTests
{
    private const string Service = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Resilience;

        namespace Shop;

        [CircuitBreaker]
        public interface IOrders
        {
            [Retry(MaxRetries = Limits.Retries)]
            [Timeout(1_000)]
            Task<int> CountAsync(string filter, Level level = Level.High, CancellationToken cancellationToken = default);

            [Fallback(nameof(Fallback))]
            ValueTask<string?> NameAsync(int id);
            ValueTask<string?> Fallback(int id, Exception error);
        }

        public sealed class Orders : IOrders
        {
            private int _calls = 1;

            public Task<int> CountAsync(string filter, Level level, CancellationToken cancellationToken) => Task.FromResult(filter.Length + _calls);

            public ValueTask<string?> NameAsync(int id) => new("n" + id);

            public ValueTask<string?> Fallback(int id, Exception error) => new("fallback");
        }
        """;

    private const string Constants = """
        namespace Shop;

        public static class Limits
        {
            public const int Retries = 2;
            public static readonly int Seed = 7;
        }

        public enum Level { Low, High = 5 }
        """;

    [Fact]
    public void A_method_body_edit_binds_nothing_again_and_keeps_the_output()
    {
        var (generator, driver, compilation) = Warm(Service, Constants);
        var bound = generator.Reuse.Bindings;

        var edited = Edit(compilation, 0, "filter.Length + _calls", "filter.Length * 2 + _calls");
        driver = driver.RunGenerators(edited);

        Assert.Equal(bound, generator.Reuse.Bindings);
        Assert.Equal(1, generator.Reuse.Reused);
        Assert.Equal(Cold(edited), Output(driver));
    }

    [Fact]
    public void Keystrokes_reuse_the_models_after_each_previous_compilation_was_collected()
    {
        // As an editor: each keystroke's compilation is dropped after its run, and a collection may come before the next.
        var (generator, driver, compilation) = Warm(Service, Constants);
        var bound = generator.Reuse.Bindings;
        var text = "filter.Length + _calls";
        for (var keystroke = 1; keystroke <= 2 * 4 + 1; keystroke++)
        {
            var next = text + " + " + keystroke.ToString(System.Globalization.CultureInfo.InvariantCulture);
            driver = driver.RunGenerators(Edit(compilation, 0, text, next));
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }

        Assert.Equal(bound, generator.Reuse.Bindings);
        Assert.Equal(9, generator.Reuse.Reused);
    }

    [Fact]
    public void A_non_const_field_initializer_and_a_comment_are_body_edits_too()
    {
        var (generator, driver, compilation) = Warm(Service, Constants);
        var bound = generator.Reuse.Bindings;

        var edited = Edit(Edit(compilation, 1, "Seed = 7", "Seed = 8"), 0, "private int _calls = 1;", "private int _calls = 2; // more");
        driver = driver.RunGenerators(edited);

        Assert.Equal(bound, generator.Reuse.Bindings);
        Assert.Equal(Cold(edited), Output(driver));
    }

    public static TheoryData<string, int, string, string> DeclarationEdits() => new()
    {
        { "an attribute argument", 0, "[Timeout(1_000)]", "[Timeout(2_000)]" },
        { "a const another file declares, used by an attribute", 1, "Retries = 2", "Retries = 4" },
        { "an enum member's value, used by a default", 1, "High = 5", "High = 6" },
        { "a #nullable line before the interface", 0, "[CircuitBreaker]", "#nullable disable\n[CircuitBreaker]" },
        { "a #nullable line inside a method body", 0, "=> new(\"n\" + id);", "{\n#nullable disable\n        return new(\"n\" + id);\n    }" },
        { "a parameter's default", 0, "Level level = Level.High", "Level level = Level.Low" },
        { "a new method", 0, "ValueTask<string?> Fallback(int id, Exception error);\n}", "ValueTask<string?> Fallback(int id, Exception error);\n    [Retry] Task PingAsync();\n}" },
        { "a method's return type", 0, "ValueTask<string?> NameAsync(int id);", "ValueTask<string> NameAsync(int id);" },
    };

    [Theory]
    [MemberData(nameof(DeclarationEdits))]
    public void A_declaration_edit_binds_again_and_the_output_follows(string what, int file, string oldText, string newText)
    {
        var (generator, driver, compilation) = Warm(Service, Constants);
        var bound = generator.Reuse.Bindings;

        var edited = Edit(compilation, file, oldText, newText);
        driver = driver.RunGenerators(edited);

        Assert.True(generator.Reuse.Bindings > bound, $"{what}: nothing was bound again");
        Assert.Equal(Cold(edited), Output(driver));
    }

    [Fact]
    public void New_parse_options_a_new_file_or_other_references_bind_again()
    {
        var (generator, driver, compilation) = Warm(Service, Constants);

        var tree = compilation.SyntaxTrees.First();
        var defined = compilation.ReplaceSyntaxTree(tree, tree.WithRootAndOptions(tree.GetRoot(), GeneratorHarness.ParseOptions.WithPreprocessorSymbols("EXTRA")));
        AssertBindsAgain(generator, ref driver, defined);

        var added = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Zoo; public sealed class Keeper { }", GeneratorHarness.ParseOptions, path: "Keeper.cs"));
        AssertBindsAgain(generator, ref driver, added);

        var fewer = compilation.RemoveReferences(compilation.References.Last());
        AssertBindsAgain(generator, ref driver, fewer);

        var renamed = compilation.WithAssemblyName("Other");
        AssertBindsAgain(generator, ref driver, renamed);
    }

    [Fact]
    public void Edits_in_a_seeded_random_order_always_give_the_cold_output()
    {
        // Body and declaration edits of the corpus, applied one after another in a random order to one warm driver:
        // after each, the output equals a new driver's on the same compilation. Seed fixed; RES_REUSE_SEED changes it.
        var seed = int.TryParse(Environment.GetEnvironmentVariable("RES_REUSE_SEED"), out var s) ? s : 20261204;
        var random = new Random(seed);
        var edits = new (int File, string Old, string New)[]
        {
            (0, "filter.Length + _calls", "filter.Length + _calls + 1"),
            (0, "[Timeout(1_000)]", "[Timeout(1_500)]"),
            (1, "Retries = 2", "Retries = 3"),
            (1, "Seed = 7", "Seed = 9"),
            (0, "Level level = Level.High", "Level level = Level.Low"),
            (0, "new(\"fallback\")", "new(\"other\")"),
            (0, "[CircuitBreaker]", "#nullable disable\n[CircuitBreaker]"),
            (1, "High = 5", "High = 7"),
        };

        var (generator, driver, compilation) = Warm(Service, Constants);
        for (var step = 0; step < 24; step++)
        {
            var (file, oldText, newText) = edits[random.Next(edits.Length)];
            var text = compilation.SyntaxTrees.ElementAt(file).GetText().ToString();
            (oldText, newText) = text.Contains(oldText, StringComparison.Ordinal) ? (oldText, newText) : (newText, oldText);
            if (!text.Contains(oldText, StringComparison.Ordinal))
            {
                continue;
            }

            compilation = Edit(compilation, file, oldText, newText);
            driver = driver.RunGenerators(compilation);
            Assert.True(Cold(compilation) == Output(driver), $"seed {seed}, step {step}: '{oldText}' → '{newText}' gave another output than a new driver");
        }

        Assert.True(generator.Reuse.Reused > 0, $"seed {seed}: no step reused models");
    }

    private static void AssertBindsAgain(ResilienceGenerator generator, ref GeneratorDriver driver, Compilation compilation)
    {
        var bound = generator.Reuse.Bindings;
        driver = driver.RunGenerators(compilation);
        Assert.True(generator.Reuse.Bindings > bound, "nothing was bound again");
        Assert.Equal(Cold(compilation), Output(driver));
    }

    private static (ResilienceGenerator Generator, GeneratorDriver Driver, Compilation Compilation) Warm(params string[] sources)
    {
        var compilation = GeneratorHarness.CreateCompilation(sources);
        var generator = new ResilienceGenerator();
        var driver = Driver(generator).RunGenerators(compilation);
        Assert.NotEmpty(Output(driver));
        return (generator, driver, compilation);
    }

    private static GeneratorDriver Driver(ResilienceGenerator generator)
        => CSharpGeneratorDriver.Create(new[] { generator.AsSourceGenerator() }, parseOptions: GeneratorHarness.ParseOptions);

    private static Compilation Edit(Compilation compilation, int file, string oldText, string newText)
    {
        var tree = compilation.SyntaxTrees.ElementAt(file);
        var text = tree.GetText();
        var at = text.ToString().IndexOf(oldText, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{oldText}' is not in file {file}");
        return compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(text.WithChanges(new TextChange(new TextSpan(at, oldText.Length), newText))));
    }

    private static string Cold(Compilation compilation) => Output(Driver(new ResilienceGenerator()).RunGenerators(compilation));

    private static string Output(GeneratorDriver driver)
    {
        var result = driver.GetRunResult();
        return string.Join("\n// ----\n", result.Results.Single().GeneratedSources.OrderBy(s => s.HintName, StringComparer.Ordinal).Select(s => s.HintName + "\n" + s.SourceText))
            + string.Join("\n", result.Diagnostics.Select(d => d.ToString()));
    }
}
