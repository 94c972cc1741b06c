using Resilience.Generator.Tests.Infrastructure;

namespace Resilience.Generator.Tests;

/// <summary>Golden-file tests: the generated text of every corpus case equals its checked-in baseline.</summary>
public sealed class BaselineTests
{
    public static TheoryData<string> CaseNames() => new(Corpus.Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Generated_code_matches_baseline(string name)
    {
        var run = GeneratorHarness.Run(Corpus.Cases[name]);
        Assert.NotEmpty(run.Sources);
        Baseline.Verify(name, run.Sources);
    }

    [Fact]
    public void Accepting_baselines_is_refused_in_CI()
        => Assert.False(
            Baseline.Accepting && Baseline.RunningInCi,
            "ACCEPT_BASELINES=1 is set while CI=true: CI must compare against the checked-in baselines, never rewrite them.");

    [Fact]
    public void Every_baseline_belongs_to_a_corpus_case()
    {
        var stray = Directory.GetFiles(Baseline.Directory, "*.txt")
            .Select(Path.GetFileName)
            .Where(f => !Corpus.Cases.Keys.Any(c => f!.StartsWith(c + "__", StringComparison.Ordinal)))
            .ToList();
        Assert.True(stray.Count == 0, "Baselines without a corpus case: " + string.Join(", ", stray));
    }

    [Fact]
    public void Version_placeholder_replaces_the_generator_version()
    {
        var text = GeneratorHarness.Run(Corpus.Cases["Namespaces"]).Sources[0].Text;
        Assert.Contains($"\"Resilience.Generator\", \"{Baseline.GeneratorVersion}\"", text);
        var normalized = Baseline.Normalize(text.Replace("\n", "\r\n"));
        Assert.Contains(Baseline.VersionPlaceholder, normalized);
        Assert.DoesNotContain("\r", normalized);
    }

    [Fact]
    public void Difference_message_names_the_first_differing_line()
    {
        var message = Baseline.Describe("x.txt", "a\nb\nc", "a\nB\nc");
        Assert.Contains("line 2", message);
        Assert.Contains("expected: b", message);
        Assert.Contains("actual:   B", message);
    }
}
