using Resilience.Benchmarks.Runtime;

namespace Resilience.Benchmarks.Tests;

/// <summary>
/// The kernel prototype's claim (docs/benchmarks.md, "One pipeline definition"): a call through
/// <c>KernelPipeline&lt;TResult&gt;</c> over a struct operation allocates nothing when it completes synchronously, like the
/// generated inline code; and so does a <see cref="ResilientCall{T}"/> with a static delegate and state.
/// </summary>
public sealed class KernelAllocationTests
{
    private const int WarmupCalls = 1_000;
    private const int MeasuredCalls = 20_000;

    [Fact]
    public void Retry_and_breaker_through_the_kernel_and_ResilientCall_allocate_nothing()
    {
        var b = new KernelRetryBreakerBenchmarks();
        b.Setup();
        try
        {
            Assert.Equal(0, AllocatedOverMeasuredCalls(b.Kernel));
            Assert.Equal(0, AllocatedOverMeasuredCalls(b.ViaResilientCall));
        }
        finally
        {
            b.Cleanup();
        }
    }

    [Fact]
    public void Timeout_breaker_and_retry_through_the_kernel_and_ResilientCall_allocate_nothing()
    {
        var b = new KernelTimeoutBreakerRetryBenchmarks();
        b.Setup();
        try
        {
            Assert.Equal(0, AllocatedOverMeasuredCalls(b.Kernel));
            Assert.Equal(0, AllocatedOverMeasuredCalls(b.ViaResilientCall));
        }
        finally
        {
            b.Cleanup();
        }
    }

    private static long AllocatedOverMeasuredCalls(Func<ValueTask<int>> call)
    {
        for (int i = 0; i < WarmupCalls; i++)
        {
            Assert.Equal(42, Completed(call()));
        }

        int wrong = 0;
        long allocated = AllocationProbe.Least(() =>
        {
            for (int i = 0; i < MeasuredCalls; i++)
            {
                if (Completed(call()) != 42)
                {
                    wrong++;
                }
            }
        });

        Assert.Equal(0, wrong); // in every window
        return allocated;
    }

    private static int Completed(ValueTask<int> call)
    {
        Assert.True(call.IsCompletedSuccessfully, "The call did not complete synchronously.");
        return call.Result;
    }
}
