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

    public void Advance(int milliseconds) => Time.Advance(TimeSpan.FromMilliseconds(milliseconds));

    /// <summary>
    /// Advances by <paramref name="delayMs"/> in two steps and asserts that the next attempt starts exactly at the end:
    /// one millisecond earlier the inner still saw <paramref name="attempt"/> - 1 calls.
    /// </summary>
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
