using System.Reflection;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Diagnostics;

namespace Resilience.Generator.Tests.Analyzers;

/// <summary>
/// The diagnostic table is consistent: consecutive const ids, one help page and one release-tracking row per id,
/// each descriptor reported by exactly one analyzer.
/// </summary>
public sealed class DescriptorTableTests
{
    private static readonly DiagnosticDescriptor[] Descriptors = typeof(DiagnosticDescriptors)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .OrderBy(d => d.Id, StringComparer.Ordinal)
        .ToArray();

    private static readonly string[] Ids = typeof(DiagnosticIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .OrderBy(id => id, StringComparer.Ordinal)
        .ToArray();

    public static TheoryData<string> AllIds()
    {
        var data = new TheoryData<string>();
        foreach (var id in Ids)
        {
            data.Add(id);
        }

        return data;
    }

    [Fact]
    public void Ids_AreConsecutiveFromRes0001_AndEachHasOneDescriptor()
    {
        Assert.Equal(Enumerable.Range(1, 24).Concat(Enumerable.Range(27, 9)).Select(i => $"RES{i:D4}"), Ids);
        Assert.Equal(Ids, Descriptors.Select(d => d.Id));
    }

    [Theory]
    [MemberData(nameof(AllIds))]
    public void Descriptor_HasCategoryNoHelpLinkAndWording(string id)
    {
        var descriptor = Descriptors.Single(d => d.Id == id);

        Assert.Contains(descriptor.Category, new[] { "Resilience.Usage", "Resilience.Design" });
        // No help link: the docs have no public address yet, and a link must not lead nowhere. The page ships in the
        // package instead (docs/diagnostics/{id}.md; HelpPage_ExistsWithTitleSeverityExampleAndFix checks it).
        Assert.Equal(string.Empty, descriptor.HelpLinkUri);
        Assert.True(descriptor.IsEnabledByDefault);
        Assert.False(descriptor.Title.ToString().EndsWith('.'), "Titles have no trailing period.");
        Assert.EndsWith(".", descriptor.Description.ToString());
        Assert.Equal(id == DiagnosticIds.ConflictingSharedName, descriptor.CustomTags.Contains(WellKnownDiagnosticTags.CompilationEnd));
    }

    [Theory]
    [MemberData(nameof(AllIds))]
    public void HelpPage_ExistsWithTitleSeverityExampleAndFix(string id)
    {
        var descriptor = Descriptors.Single(d => d.Id == id);
        var path = Path.Combine(RepositoryRoot(), "docs", "diagnostics", id + ".md");

        Assert.True(File.Exists(path), $"{path} is missing.");
        var text = File.ReadAllText(path);
        Assert.StartsWith($"# {id}: {descriptor.Title}", text);
        Assert.Contains($"| Severity | {descriptor.DefaultSeverity} |", text);
        Assert.Contains($"| Category | {descriptor.Category} |", text);
        Assert.Contains("## What it means", text);
        Assert.Contains("## Example", text);
        Assert.Contains("## How to fix", text);
        Assert.Contains("// " + id, text);
    }

    [Theory]
    [MemberData(nameof(AllIds))]
    public void UnshippedReleaseRow_MatchesDescriptor(string id)
    {
        var descriptor = Descriptors.Single(d => d.Id == id);
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "src", "Resilience.Generator", "AnalyzerReleases.Unshipped.md"));

        var row = Assert.Single(lines, l => l.StartsWith(id + " ", StringComparison.Ordinal));
        var cells = row.Split('|').Select(c => c.Trim()).ToArray();
        Assert.Equal(descriptor.Category, cells[1]);
        Assert.Equal(descriptor.DefaultSeverity.ToString(), cells[2]);
    }

    [Fact]
    public void EveryDescriptor_IsSupportedByExactlyOneAnalyzer_ExceptTheGeneratorsOwn()
    {
        var supported = AnalyzerVerifier.AllAnalyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal);

        // RES0018 reports a failure of the generator itself, so the generator reports it.
        Assert.Equal(Ids.Where(id => id != DiagnosticIds.GeneratorFailed), supported);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Resilience.Generator.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Resilience.Generator.sln not found above " + AppContext.BaseDirectory);
    }
}
