using Resilience.Generator.Tests.Infrastructure;
using Resilience.Generator.Tests.RealWorld;

namespace Resilience.Generator.Tests;

/// <summary>
/// The generated code is meant to be read and stepped into: no line longer than 150 characters, a tab counted as four
/// (in every baseline, and
/// in what the corpus and the real-world corpus generate), the class marked <c>[DebuggerNonUserCode]</c>, fields named
/// after what they hold.
/// </summary>
public sealed class GeneratedShapeTests
{
    private const int MaxLineLength = 150;

    [Fact]
    public void No_baseline_has_a_line_longer_than_150_characters()
    {
        var files = Directory.GetFiles(Baseline.Directory, "*.txt");
        Assert.NotEmpty(files);
        var tooLong = files.SelectMany(f => LongLines(Path.GetFileName(f), File.ReadAllText(f))).ToList();
        Assert.True(tooLong.Count == 0, string.Join("\n", tooLong));
    }

    [Fact]
    public void No_generated_line_of_the_corpus_is_longer_than_150_characters()
    {
        var tooLong = Corpus.Cases.Values
            .SelectMany(sources => GeneratorHarness.Run(sources).Sources)
            .SelectMany(s => LongLines(s.HintName, s.Text))
            .ToList();
        Assert.True(tooLong.Count == 0, string.Join("\n", tooLong));
    }

    [Fact]
    public void No_generated_line_of_the_real_world_corpus_is_longer_than_150_characters()
    {
        var tooLong = new List<string>();
        var generated = 0;
        foreach (var item in RealInterfaces.All)
        {
            foreach (var annotation in item.Specific)
            {
                var run = GeneratorHarness.Run(annotation.Apply(item.Source));
                generated += run.Sources.Count;
                tooLong.AddRange(run.Sources.SelectMany(s => LongLines(item.Name + "/" + s.HintName, s.Text)));
            }
        }

        Assert.True(generated >= 20, $"only {generated} files generated");
        Assert.True(tooLong.Count == 0, string.Join("\n", tooLong));
    }

    [Fact]
    public void The_decorator_is_marked_DebuggerNonUserCode_and_its_fields_say_what_they_hold()
    {
        var text = GeneratorHarness.Run("""
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace Shop;

            [CircuitBreaker]
            public interface IUsers
            {
                [Retry] [Bulkhead(Name = "users-db")]
                Task<string> GetUserAsync(int id, CancellationToken cancellationToken);

                [Retry] Task<string> GetAsync(int id);
                [Retry] Task<string> GetAsync(string name);
            }
            """).Sources.Single().Text;

        Assert.Contains("[global::System.Diagnostics.DebuggerNonUserCode]\npublic sealed partial class UsersResilient", text);
        Assert.Contains("private readonly global::Shop.IUsers _inner;", text);
        Assert.Contains("private readonly global::Resilience.ResilienceRegistry _registry;", text);
        Assert.Contains("private readonly global::Resilience.CircuitBreaker _usersCircuitBreaker;", text);
        Assert.Contains("private readonly global::Resilience.Bulkhead _usersDbBulkhead;", text);
        Assert.Contains("private readonly global::Resilience.RetryStrategy _getUserAsyncRetry;", text);
        Assert.Contains("private readonly global::Resilience.RetryStrategy _getAsyncRetry;", text);
        Assert.Contains("private readonly global::Resilience.RetryStrategy _getAsyncRetry2;", text);
        Assert.Contains("private readonly global::Resilience.CallTelemetry _getUserAsyncTelemetry;", text);
        Assert.Contains("private readonly global::Resilience.CallTelemetry _getAsyncTelemetry2;", text);
        Assert.DoesNotContain("__telemetry", text);
    }

    private static IEnumerable<string> LongLines(string name, string text)
        => text.Replace("\r\n", "\n").Split('\n')
            .Select((line, i) => (line: line.Replace("\t", "    ", StringComparison.Ordinal), i))
            .Where(l => l.line.Length > MaxLineLength)
            .Select(l => $"{name}({l.i + 1}): {l.line.Length} characters: {l.line.Trim()}");
}
