using System.Diagnostics;

namespace Resilience.Runtime.Tests.Timeout;

/// <summary>
/// On <see cref="TimeProvider.System"/> a timeout never fires before its limit, measured with <see cref="Stopwatch"/>
/// from before <see cref="TimeoutStrategy.Start"/> to the moment the token is cancelled. The real timers wake up early
/// (they run on the operating system's coarse tick) and sources are reused with their timers still running, so this
/// checks the exact-clock check that follows every wake-up. Only a lower bound is asserted: how late a timer fires
/// depends on the machine.
/// </summary>
[Collection(StressCollection.Name)]
public sealed class TimeoutSystemClockTests
{
    private static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(16)]
    public async Task A_timeout_on_the_system_clock_never_fires_before_its_limit(int milliseconds)
    {
        var limit = TimeSpan.FromMilliseconds(milliseconds);
        var timeout = new TimeoutStrategy("system", limit);
        using var caller = new CancellationTokenSource();

        for (int use = 0; use < 8; use++)
        {
            // A short use first, ended at once: its source goes back with its timer running, due at its deadline,
            // and the next use (same source) starts a little later, so that timer wakes up early for it.
            timeout.Start(use % 2 == 0 ? caller.Token : CancellationToken.None).Dispose();

            var cancelledAt = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            long started = Stopwatch.GetTimestamp();
            using TimeoutScope scope = timeout.Start(use % 2 == 0 ? caller.Token : CancellationToken.None);
            using CancellationTokenRegistration registration = scope.Token.UnsafeRegister(
                static state => ((TaskCompletionSource<long>)state!).TrySetResult(Stopwatch.GetTimestamp()),
                cancelledAt);

            long cancelled = await cancelledAt.Task.WaitAsync(SafetyNet);

            TimeSpan elapsed = Stopwatch.GetElapsedTime(started, cancelled);
            Assert.True(elapsed >= limit, $"use {use}: cancelled after {elapsed.TotalMilliseconds} ms, before the {milliseconds} ms limit");
            Assert.True(scope.IsExpired);
            Assert.False(caller.IsCancellationRequested);
        }
    }

    [Fact]
    public async Task A_timer_does_not_run_with_the_context_of_the_caller_whose_use_created_it()
    {
        var timeout = new TimeoutStrategy("context", TimeSpan.FromMilliseconds(2));
        var seen = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var local = new AsyncLocal<string?>();

        // The first use creates the source and its timer while the caller's AsyncLocal holds a value.
        local.Value = "caller's";
        TimeoutScope scope = timeout.Start(CancellationToken.None);
        Assert.False(ExecutionContext.IsFlowSuppressed()); // the constructor restored the flow it suppressed
        local.Value = null;

        // UnsafeRegister runs the callback on the thread that cancels, in the context the timer runs with.
        using CancellationTokenRegistration registration = scope.Token.UnsafeRegister(
            state => ((TaskCompletionSource<string?>)state!).TrySetResult(local.Value),
            seen);
        try
        {
            Assert.Null(await seen.Task.WaitAsync(SafetyNet));
        }
        finally
        {
            scope.Dispose();
        }
    }

    [Fact]
    public void Starting_under_a_suppressed_flow_leaves_it_suppressed()
    {
        var timeout = new TimeoutStrategy("suppressed", TimeSpan.FromSeconds(10));

        using (ExecutionContext.SuppressFlow())
        {
            timeout.Start(CancellationToken.None).Dispose(); // creates a source: no second SuppressFlow, no RestoreFlow
            Assert.True(ExecutionContext.IsFlowSuppressed());
        }

        Assert.False(ExecutionContext.IsFlowSuppressed());
    }
}
