using Resilience.Generator.Tests.Infrastructure;

namespace Resilience.Generator.Tests;

/// <summary>Every corpus case compiles with zero warnings under #nullable enable.</summary>
public sealed class CorpusTests
{
    public static TheoryData<string> CaseNames() => new(Corpus.Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Output_compiles_without_warnings(string name)
        => GeneratorHarness.RunClean(Corpus.Cases[name]);
}
