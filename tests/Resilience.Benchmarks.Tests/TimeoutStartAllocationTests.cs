using Resilience.Benchmarks.Runtime;

namespace Resilience.Benchmarks.Tests;

/// <summary>
/// <see cref="TimeoutStartBenchmarks"/> reports 0 B for the strategy's rows: a timeout started and ended on the system
/// clock allocates nothing after warm-up, with and without a cancelable caller token.
/// </summary>
public sealed class TimeoutStartAllocationTests
{
    private const int WarmupCalls = 1_000;
    private const int MeasuredCalls = 20_000;

    [Fact]
    public void Starting_and_ending_a_timeout_allocates_nothing()
    {
        var b = new TimeoutStartBenchmarks();
        b.Setup();
        try
        {
            Assert.Equal(0, AllocatedOverMeasuredCalls(b.Strategy));
            Assert.Equal(0, AllocatedOverMeasuredCalls(b.StrategyNoCallerToken));
        }
        finally
        {
            b.Cleanup();
        }
    }

    private static long AllocatedOverMeasuredCalls(Func<bool> call)
    {
        for (int i = 0; i < WarmupCalls; i++)
        {
            Assert.True(call());
        }

        int wrong = 0;
        long allocated = AllocationProbe.Least(() =>
        {
            for (int i = 0; i < MeasuredCalls; i++)
            {
                if (!call())
                {
                    wrong++;
                }
            }
        });

        Assert.Equal(0, wrong);
        return allocated;
    }
}
