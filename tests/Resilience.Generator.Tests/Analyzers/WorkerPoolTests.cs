using Microsoft.CodeAnalysis;
using static Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace Resilience.Generator.Tests.Analyzers;

/// <summary>RES0024 (a worker-pool bulkhead on a synchronous method) and the range rules of MaxWaitMs and Kind.</summary>
public sealed class WorkerPoolTests
{
    [Fact]
    public async Task RES0024_WorkerPoolOnSynchronousMethod_ReportedOnKind()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IReports
            {
                [Bulkhead({|RES0024:Kind = BulkheadKind.WorkerPool|}, MaxConcurrency = 4)]
                int Render(int id);
            }
            """,
            ("RES0024", Error));

        Assert.StartsWith("[Bulkhead(Kind = BulkheadKind.WorkerPool)] cannot apply to the synchronous method 'Render'", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0024_InterfaceLevelWorkerPool_ReportedForEachSynchronousMethodOnly()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            [Bulkhead(Kind = BulkheadKind.WorkerPool)]
            public interface IReports
            {
                int {|RES0024:Render|}(int id);
                Task<int> RenderAsync(int id);
                void {|RES0024:Clear|}();
            }
            """,
            ("RES0024", Error),
            ("RES0024", Error));

        Assert.Equal(2, diagnostics.Length);
    }

    [Fact]
    public async Task WorkerPoolOnAsyncMethods_AndSemaphoreOnSynchronous_NotReported()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IReports
            {
                [Bulkhead(Kind = BulkheadKind.WorkerPool, MaxWaitMs = 500)]
                Task<int> RenderAsync(int id, CancellationToken cancellationToken);

                [Bulkhead(Kind = BulkheadKind.WorkerPool)]
                ValueTask ClearAsync();

                [Bulkhead(Kind = BulkheadKind.Semaphore, MaxWaitMs = 500)]
                int Render(int id);
            }
            """);
    }

    [Fact]
    public async Task RES0005_NegativeMaxWaitAndUndefinedKind()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IReports
            {
                [Bulkhead({|RES0005:MaxWaitMs = -1|}, {|RES0005:Kind = (BulkheadKind)7|})]
                Task<int> RenderAsync(int id);
            }
            """,
            ("RES0005", Error),
            ("RES0005", Error));

        Assert.Contains(diagnostics, d => d.GetMessage().Contains("MaxWaitMs must be 0 or more; got -1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RES0011_SharedNameWithDifferentKind()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IReports
            {
                [Bulkhead(Name = "render")]
                Task<int> RenderAsync(int id);

                [{|RES0011:Bulkhead(Name = "render", Kind = BulkheadKind.WorkerPool)|}]
                Task<int> PreviewAsync(int id);
            }
            """,
            ("RES0011", Error));

        Assert.Contains("Kind WorkerPool here, Semaphore there", diagnostics.Single().GetMessage(), StringComparison.Ordinal);
    }
}
