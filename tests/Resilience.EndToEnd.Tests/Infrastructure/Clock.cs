using Microsoft.Extensions.Time.Testing;

namespace Resilience.EndToEnd.Tests.Infrastructure;

/// <summary>A fake clock and a registry on it: every generated proxy in a test is built on one of these.</summary>
public sealed class Clock : IDisposable
{
    private static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(10);

    public Clock()
    {
        Time = new FakeTimeProvider();
        Registry = new ResilienceRegistry(Time);
    }

    public FakeTimeProvider Time { get; }

    public ResilienceRegistry Registry { get; }

    /// <summary>
    /// Advances fake time with no <see cref="SynchronizationContext"/> on the thread, so that the work each fired timer
    /// releases (retry delays ending, timeouts cancelling) runs inline and is finished when this method returns.
    /// </summary>
    /// <remarks>
    /// xUnit runs tests under its own synchronization context; while one is current, the runtime will not inline
    /// <c>ConfigureAwait(false)</c> continuations and queues them to the thread pool instead, which would let the
    /// next <see cref="Advance"/> race with the timer the released work is about to arm.
    /// </remarks>
    public void Advance(int milliseconds) => AdvanceInline(Time, milliseconds);

    /// <inheritdoc cref="Advance(int)"/>
    public static void AdvanceInline(FakeTimeProvider time, int milliseconds)
    {
        SynchronizationContext? context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            time.Advance(TimeSpan.FromMilliseconds(milliseconds));
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    /// <summary>
    /// Advances by <paramref name="delayMs"/> in two steps and asserts that the next attempt starts exactly at the end:
    /// one millisecond earlier the inner still saw <paramref name="attempt"/> - 1 calls.
    /// </summary>
    /// <remarks>
    /// Exact because <see cref="Advance"/> runs the released work inline: the next retry delay is armed before this
    /// method advances again.
    /// </remarks>
    public async Task AdvanceToAttempt(int delayMs, AttemptLog log, int attempt)
    {
        Assert.Equal(attempt - 1, log.Count);
        Advance(delayMs - 1);
        Assert.Equal(attempt - 1, log.Count);
        Advance(1);
        await log.WhenCount(attempt);
    }

    /// <summary>Awaits a call under test, failing the test instead of hanging if it never completes.</summary>
    public static Task<T> Finish<T>(Task<T> call) => call.WaitAsync(SafetyTimeout);

    /// <inheritdoc cref="Finish{T}(Task{T})"/>
    public static Task Finish(Task call) => call.WaitAsync(SafetyTimeout);

    public void Dispose() => Registry.Dispose();
}
