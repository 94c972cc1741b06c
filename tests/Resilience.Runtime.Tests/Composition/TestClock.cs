using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Composition;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports each timer created on it, so a test can wait for the code under test
/// to start waiting (e.g. a retry delay) before advancing the clock, instead of guessing with real time.
/// </summary>
internal sealed class TestClock : FakeTimeProvider
{
    private static readonly TimeSpan SafetyLimit = TimeSpan.FromSeconds(10);
    private readonly ConcurrentQueue<TimeSpan> _dueTimes = new();
    private readonly SemaphoreSlim _created = new(0);

    public TestClock()
        : base(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ITimer timer = base.CreateTimer(callback, state, dueTime, period);
        _dueTimes.Enqueue(dueTime);
        _created.Release();
        return timer;
    }

    /// <summary>Waits (on real time, bounded) until the next timer is created and returns its due time.</summary>
    public async Task<TimeSpan> NextTimerAsync()
    {
        if (!await _created.WaitAsync(SafetyLimit))
        {
            throw new TimeoutException("The code under test created no timer; it is not waiting on the clock.");
        }

        Assert.True(_dueTimes.TryDequeue(out TimeSpan due));
        return due;
    }

    /// <summary>
    /// Runs <paramref name="task"/> to completion by advancing the clock to each timer's due time as the timers are
    /// created (for compositions whose only timers are retry delays).
    /// </summary>
    public async Task<T> DriveAsync<T>(Task<T> task)
    {
        while (!task.IsCompleted)
        {
            Task<TimeSpan> next = NextTimerAsync();
            if (await Task.WhenAny(task, next) == task)
            {
                break;
            }

            Advance(await next);
        }

        return await task;
    }
}
