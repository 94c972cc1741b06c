using static Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace Resilience.Generator.Tests.Analyzers;

/// <summary>
/// <c>[CircuitBreaker]</c>'s <c>MaxKeys</c> and <c>KeyIdleTimeoutMs</c>: out of range is RES0005 (an error, as every
/// other count and duration); set without <c>KeyParameter</c> is RES0017 (a warning: they do nothing there).
/// </summary>
public sealed class KeyedSettingTests
{
    [Theory]
    [InlineData("CircuitBreaker(KeyParameter = \"host\", {|RES0005:MaxKeys = 0|})", "MaxKeys must be at least 1; got 0")]
    [InlineData("CircuitBreaker(KeyParameter = \"host\", {|RES0005:MaxKeys = -3|})", "MaxKeys must be at least 1; got -3")]
    [InlineData("CircuitBreaker(KeyParameter = \"host\", {|RES0005:KeyIdleTimeoutMs = 0|})", "KeyIdleTimeoutMs must be at least 1; got 0")]
    [InlineData("CircuitBreaker({|RES0005:KeyIdleTimeoutMs = -1|}, KeyParameter = \"host\")", "KeyIdleTimeoutMs must be at least 1; got -1")]
    public async Task RES0005_NonPositiveKeyedSetting_ReportedOnThatArgument(string attribute, string message)
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync(OnMethod(attribute), ("RES0005", Error));

        Assert.Contains(message, diagnostics.Single().GetMessage());
    }

    [Theory]
    [InlineData("CircuitBreaker({|RES0017:MaxKeys = 100|})", "MaxKeys applies only to a keyed breaker")]
    [InlineData("CircuitBreaker(FailureThreshold = 2, {|RES0017:KeyIdleTimeoutMs = 5_000|})", "KeyIdleTimeoutMs applies only to a keyed breaker")]
    [InlineData("CircuitBreaker({|RES0017:MaxKeys = 10_000|}, KeyParameter = null)", "set KeyParameter to keep one breaker per argument value, or remove MaxKeys")]
    public async Task RES0017_KeyedSettingWithoutKeyParameter_IsAWarningOnThatArgument(string attribute, string message)
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync(OnMethod(attribute), ("RES0017", Warning));

        var diagnostic = diagnostics.Single();
        Assert.Contains(message, diagnostic.GetMessage());
        Assert.StartsWith("[CircuitBreaker] setting has no effect: ", diagnostic.GetMessage());
    }

    [Fact]
    public async Task RES0017_InterfaceLevel_BothSettingsReported()
    {
        await AnalyzerVerifier.VerifyAsync("""
            [CircuitBreaker({|RES0017:MaxKeys = 50|}, {|RES0017:KeyIdleTimeoutMs = 1_000|})]
            public interface IService
            {
                Task<int> GetAsync(string host);
                Task SaveAsync(string host);
            }
            """,
            ("RES0017", Warning));
    }

    [Fact]
    public async Task RES0005_And_RES0017_BothReported_ForANonPositiveValueWithoutKeyParameter()
    {
        var diagnostics = await AnalyzerVerifier.AnalyzeAsync(OnMethod("CircuitBreaker(MaxKeys = 0)"));

        Assert.Equal(new[] { ("RES0005", Error), ("RES0017", Warning) }, diagnostics.Select(d => (d.Id, d.Severity)).OrderBy(d => d.Id));
        Assert.Equal(diagnostics[0].Location.SourceSpan, diagnostics[1].Location.SourceSpan);
    }

    [Theory]
    [InlineData("CircuitBreaker(KeyParameter = \"host\", MaxKeys = 1, KeyIdleTimeoutMs = 1)")]
    [InlineData("CircuitBreaker(KeyParameter = \"host\", MaxKeys = 10_000, KeyIdleTimeoutMs = int.MaxValue)")]
    [InlineData("CircuitBreaker(FailureThreshold = 3)")]
    public async Task KeyedSettings_WithKeyParameterOrLeftOut_AreValid(string attribute)
    {
        await AnalyzerVerifier.VerifyAsync(OnMethod(attribute));
    }

    [Fact]
    public async Task RES0011_SharedNameWithDifferentMaxKeys_Reported()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IHosts
            {
                [CircuitBreaker(Name = "hosts", KeyParameter = "host", MaxKeys = 100)]
                Task GetAsync(string host);

                [CircuitBreaker(Name = "hosts", KeyParameter = "host", MaxKeys = 100, KeyIdleTimeoutMs = 60_000)]
                Task PutAsync(string host);

                [{|RES0011:CircuitBreaker(Name = "hosts", KeyParameter = "host", MaxKeys = 200)|}]
                Task DeleteAsync(string host);
            }
            """,
            ("RES0011", Error));
    }

    private static string OnMethod(string attribute) => $$"""
        public interface IService
        {
            [{{attribute}}]
            Task<int> GetAsync(string host, CancellationToken cancellationToken);
        }
        """;
}
