using static Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace Resilience.Generator.Tests.Analyzers;

/// <summary>RES0030–RES0032 ([Hedge]), RES0033–RES0035 ([Retry(Budget)]), and [Hedge]'s values (RES0005).</summary>
public sealed class HedgeAndBudgetDiagnosticsTests
{
    [Fact]
    public async Task RES0030_HedgeOnASynchronousMethod_ReportedOnTheAttribute()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IPrices
            {
                [{|RES0030:Hedge(DelayMs = 100)|}]
                decimal Get(string sku);
            }
            """,
            ("RES0030", Error));

        Assert.StartsWith("[Hedge] cannot apply to 'Get': it is synchronous", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0030_InterfaceLevelHedge_SkipsSynchronousMethodsSilently()
    {
        await AnalyzerVerifier.VerifyAsync("""
            [Hedge]
            public interface IPrices
            {
                decimal Get(string sku);

                Task<decimal> GetAsync(string sku, CancellationToken cancellationToken);
            }
            """);
    }

    [Fact]
    public async Task RES0031_HedgeWithoutCancellationToken_ReportedOnTheAttribute()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IPrices
            {
                [{|RES0031:Hedge|}]
                Task<decimal> GetAsync(string sku);
            }
            """,
            ("RES0031", Warning));

        Assert.StartsWith("[Hedge] on 'GetAsync': the method has no CancellationToken parameter", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0032_HedgeDelayAtLeastTheTimeout_Reported()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IPrices
            {
                [Timeout(1_000)]
                [{|RES0032:Hedge(DelayMs = 1_000)|}]
                Task<decimal> GetAsync(string sku, CancellationToken cancellationToken);

                [Timeout(1_001)]
                [Hedge(DelayMs = 1_000)]
                Task<decimal> FindAsync(string sku, CancellationToken cancellationToken);
            }
            """,
            ("RES0032", Warning));

        Assert.Equal(
            "[Hedge] on 'GetAsync' waits 1000 ms before hedging, but the [Timeout] ends the call after 1000 ms, so no hedge is ever made; lower DelayMs or raise the timeout",
            diagnostics.Single().GetMessage());
    }

    [Theory]
    [InlineData("Hedge({|RES0005:DelayMs = -2|})", "DelayMs must be 0 or more, or -1 to hedge only on failure; got -2")]
    [InlineData("Hedge({|RES0005:MaxHedges = 0|})", "MaxHedges must be from 1 to 10; got 0")]
    [InlineData("Hedge({|RES0005:MaxHedges = 11|})", "MaxHedges must be from 1 to 10; got 11")]
    [InlineData("Hedge(DelayMs = -1, {|RES0005:OnFailure = false|})", "OnFailure must be true when DelayMs is -1")]
    [InlineData("Hedge({|RES0005:Name = \"\"|})", "Name must not be empty")]
    public async Task RES0005_HedgeValuesOutOfRange(string attribute, string message)
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync(
            $$"""
            public interface IPrices
            {
                [{{attribute}}]
                Task<decimal> GetAsync(string sku, CancellationToken cancellationToken);
            }
            """,
            ("RES0005", Error));

        Assert.Contains(message, diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0033_BlankBudgetName_IsAnError()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IPayments
            {
                [Retry({|RES0033:Budget = " "|})]
                Task PayAsync(int amount, CancellationToken cancellationToken);
            }
            """,
            ("RES0033", Error));

        Assert.Equal("[Retry] Budget: Budget must name a retry budget; remove it, or give a non-blank name", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0034_BudgetOnARetryThatNeverRetries_IsAWarning()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IPayments
            {
                [Retry(MaxRetries = 0, {|RES0034:Budget = "payments-api"|})]
                Task PayAsync(int amount, CancellationToken cancellationToken);
            }
            """,
            ("RES0034", Warning));

        Assert.Contains("MaxRetries = 0, so it never draws from the budget \"payments-api\"", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0035_BudgetNameWithAColon_IsAWarning()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IPayments
            {
                [Retry({|RES0035:Budget = "payments:eu"|})]
                Task PayAsync(int amount, CancellationToken cancellationToken);

                [Retry(Budget = "payments-eu")]
                Task RefundAsync(int amount, CancellationToken cancellationToken);
            }
            """,
            ("RES0035", Warning));

        Assert.Contains("contains ':', the configuration path separator", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0011_SameHedgeNameDifferentSettings_Reported()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IQuotes
            {
                [Hedge(DelayMs = 100, Name = "quotes")]
                Task<int> GetAsync(CancellationToken cancellationToken);

                [{|RES0011:Hedge(DelayMs = 200, Name = "quotes")|}]
                Task<int> FindAsync(CancellationToken cancellationToken);
            }
            """,
            ("RES0011", Error));

        Assert.StartsWith("The [Hedge] Name 'quotes' is also declared at", diagnostics.Single().GetMessage());
        Assert.Contains("DelayMs 200 here, 100 there", diagnostics.Single().GetMessage());
    }
}
