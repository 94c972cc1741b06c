using static Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace Resilience.Generator.Tests.Analyzers;

/// <summary>
/// The user-facing side of "a wrong program does not compile": each input below is one the generator degrades
/// (plain delegation, or no decorator at all; see InvalidInputTests), and the build must fail with the error that
/// says why. Generator and analyzers share one binder (docs/architecture.md), so these no longer keep two copies in
/// step; they pin which error each degraded input gets. Inputs where an interface-level default is only skipped for
/// one method must not be errors.
/// </summary>
public sealed class DegradedInputTests
{
    [Theory]
    [InlineData("public interface IStore { [Retry] [Fallback(\"Missing\")] Task<int> CountAsync(); }", "RES0001")]
    [InlineData("public interface IStore { [Retry] [Fallback(nameof(Other))] Task<int> CountAsync(); string Other(); }", "RES0002")]
    [InlineData("public interface IStore { [Retry] [Fallback(nameof(Other))] Task<int> CountAsync(string filter); int Other(string query); }", "RES0003")]
    [InlineData("public static class Handler { public static int Other(Exception e) => 0; public static int Other(ArgumentException e) => 1; } public interface IStore { [Retry(DelayMs = 0)] [Fallback(typeof(Handler), nameof(Handler.Other))] int Count(); }", "RES0016")]
    [InlineData("public interface IStore { [Retry] [RateLimit(KeyParameter = \"tenant\")] Task<int> CountAsync(string filter); }", "RES0006")]
    [InlineData("public interface IStore { [CircuitBreaker(KeyParameter = \"host\")] Task<int> CountAsync(string filter); }", "RES0006")]
    [InlineData("public interface IStore { [CacheFallback(KeyParameters = new[] { \"filter\", \"nope\" })] Task<int> CountAsync(string filter); }", "RES0006")]
    [InlineData("public interface IStore { [Retry] IAsyncEnumerable<int> StreamAsync(CancellationToken cancellationToken); }", "RES0010")]
    [InlineData("public interface IStore { [Retry(DelayMs = 0)] int Next(ref int cursor); }", "RES0010")]
    [InlineData("public interface IStore { [Bulkhead] Task<int> Next(int start, Span<int> buffer); }", "RES0010")]
    [InlineData("public interface IStore { [Bulkhead] Task<int> Next(int start, out int end); }", "RES0010")]
    [InlineData("public interface IStore { [CacheFallback] Task SaveAsync(string key); }", "RES0015")]
    [InlineData("public interface IStore { [Retry(HandleResult = \"IsBad\")] Task<int> CountAsync(); }", "RES0007")]
    [InlineData("public interface IStore { static bool IsBad(string value) => false; [Retry(HandleResult = nameof(IsBad))] Task<int> CountAsync(); }", "RES0007")]
    [InlineData("public interface IStore { static bool IsBad(int value) => false; [CircuitBreaker(HandleResult = nameof(IsBad))] Task SaveAsync(); }", "RES0007")]
    [InlineData("public sealed class NotAPolicy { } public interface IStore { [Retry(Policy = typeof(NotAPolicy))] Task<int> CountAsync(); }", "RES0008")]
    [InlineData("public interface IStore { [Retry(MaxRetries = -1)] Task<int> CountAsync(); }", "RES0005")]
    [InlineData("public interface IStore { [Retry(Multiplier = double.PositiveInfinity)] Task<int> CountAsync(); }", "RES0005")]
    [InlineData("public interface IStore { [CacheFallback(TtlMs = 0, StaleTtlMs = 0)] Task<int> CountAsync(); }", "RES0005")]
    [InlineData("public interface IStore { [CircuitBreaker(KeyParameter = \"host\", MaxKeys = 0)] Task<int> CountAsync(string host); }", "RES0005")]
    [InlineData("public interface IStore { [CircuitBreaker(KeyParameter = \"host\", KeyIdleTimeoutMs = 0)] Task<int> CountAsync(string host); }", "RES0005")]
    [InlineData("[Bulkhead(MaxConcurrency = -1)] public interface IStore { [Retry] Task<int> CountAsync(); Task SaveAsync(); }", "RES0005")]
    [InlineData("public interface IStore { [CacheFallback] int Count(ReadOnlySpan<char> text); }", "RES0006")]
    [InlineData("[RateLimit(KeyParameter = \"tenant\")] public interface IStore { Task SaveAsync(string tenant); Task<int> CountAsync(); }", "RES0006")]
    [InlineData("public unsafe interface IStore { [CacheFallback] int Count(string filter, int* cursor); }", "RES0006")]
    [InlineData("public interface IStore { [CacheFallback(KeyMethod = \"KeyOf\")] Task<int> CountAsync(string filter); }", "RES0006")]
    [InlineData("public interface IStore { static string KeyOf(int filter) => \"\"; [CacheFallback(KeyMethod = nameof(KeyOf))] Task<int> CountAsync(string filter); }", "RES0006")]
    [InlineData("public class Outer { private interface IHidden { [Retry] Task RunAsync(); } }", "RES0014")]
    [InlineData("public class Outer { protected interface IHidden { [Retry] Task RunAsync(); } }", "RES0014")]
    [InlineData("public class Outer { private protected interface IHidden { [Retry] Task RunAsync(); } }", "RES0014")]
    [InlineData("file interface IHidden { [Retry] Task RunAsync(); }", "RES0014")]
    [InlineData("public interface IHidden { [Retry] Task RunAsync(); static abstract IHidden Create(); }", "RES0014")]
    [InlineData("public interface IBase { static abstract int Zero { get; } } public interface IHidden : IBase { [Retry] Task RunAsync(); }", "RES0014")]
    [InlineData("public interface IStore { [Retry] Task RunAsync(); } public sealed class StoreResilient { }", "RES0019")]
    [InlineData("public interface IStore { [Retry] Task RunAsync(); } public interface Store { [Retry] Task RunAsync(); }", "RES0019")]
    public async Task EveryInputTheGeneratorDegrades_FailsWithAnAnalyzerError(string source, string id)
    {
        var diagnostics = await AnalyzerVerifier.AnalyzeAsync(source);

        Assert.Contains(diagnostics, d => d.Id == id && d.Severity == Error);
    }

    [Theory]
    [InlineData("[CacheFallback] [Retry] public interface IStore { Task<int> CountAsync(); Task SaveAsync(); void Move(ref int cursor); }")]
    [InlineData("[CircuitBreaker] public interface IStore { Task<int> CountAsync(); IAsyncEnumerable<int> StreamAsync(); }")]
    [InlineData("[Fallback(nameof(Last))] public interface IStore { Task<int> CountAsync(); int Last(); }")]
    [InlineData("[Retry(HandleResult = nameof(IsBad))] public interface IStore { static bool IsBad(int value) => false; Task<int> CountAsync(); Task SaveAsync(); }")]
    public async Task InterfaceLevelDefaultsTheGeneratorSkipsForAMethod_AreNotErrors(string source)
    {
        var diagnostics = await AnalyzerVerifier.AnalyzeAsync(source);

        Assert.DoesNotContain(diagnostics, d => d.Severity == Error);
    }
}
