using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Timeout;

/// <summary>
/// The clock reading a rate limit admits a call at, handed through a bulkhead to the timeout after them
/// (<see cref="RateLimitStrategy.AdmitAsync(CancellationToken, out long)"/>,
/// <see cref="Resilience.Bulkhead.AdmitAsync(CancellationToken, ref long)"/>, <see cref="TimeoutStrategy.Start(CancellationToken, long)"/>).
/// </summary>
public sealed class AdmissionReadingTests
{
    private static readonly RateLimitOptions TwoPerSecond = new() { PermitLimit = 2, Window = TimeSpan.FromSeconds(1) };

    [Fact]
    public void A_timeout_started_from_a_reading_counts_its_limit_from_that_reading()
    {
        var time = new FakeTimeProvider();
        var timeout = new TimeoutStrategy("t", TimeSpan.FromSeconds(1), time);
        long reading = time.GetTimestamp();
        time.Advance(TimeSpan.FromMilliseconds(300));

        TimeoutScope scope = timeout.Start(CancellationToken.None, reading);
        time.Advance(TimeSpan.FromMilliseconds(699));
        Assert.False(scope.Token.IsCancellationRequested);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(scope.IsExpired);
        scope.Dispose();
    }

    [Fact]
    public void A_timeout_started_without_a_reading_reads_the_clock_itself()
    {
        var time = new ReadCountingTimeProvider();
        var timeout = new TimeoutStrategy("t", TimeSpan.FromSeconds(1), time);
        time.Advance(TimeSpan.FromMilliseconds(300));

        int before = time.Reads;
        TimeoutScope scope = timeout.Start(CancellationToken.None, TimeoutStrategy.NoTimestamp);
        Assert.Equal(1, time.Reads - before);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(scope.Token.IsCancellationRequested);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(scope.IsExpired);
        scope.Dispose();

        // The expired source was dropped; once a new one has its timer set, a start from a reading reads nothing.
        timeout.Start(CancellationToken.None).Dispose();
        before = time.Reads;
        TimeoutScope next = timeout.Start(CancellationToken.None, time.GetTimestamp());
        Assert.Equal(1, time.Reads - before); // the test's own read
        next.Dispose();
    }

    [Fact]
    public async Task A_permit_taken_at_once_hands_back_the_reading_it_was_taken_at()
    {
        var time = new FakeTimeProvider();
        time.Advance(TimeSpan.FromMilliseconds(1_234));
        using var limit = new RateLimitStrategy("r", TwoPerSecond, time);

        Assert.Null(await limit.AdmitAsync(CancellationToken.None, out long asyncReading));
        Assert.Equal(time.GetTimestamp(), asyncReading);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(limit.Admit(CancellationToken.None, out long syncReading));
        Assert.Equal(time.GetTimestamp(), syncReading);

        // Spent: a rejection hands back no reading.
        Assert.IsType<RateLimitRejectedException>(await limit.AdmitAsync(CancellationToken.None, out long rejectedReading));
        Assert.Equal(TimeoutStrategy.NoTimestamp, rejectedReading);
        Assert.IsType<RateLimitRejectedException>(limit.Admit(CancellationToken.None, out rejectedReading));
        Assert.Equal(TimeoutStrategy.NoTimestamp, rejectedReading);
    }

    [Fact]
    public async Task A_permit_that_was_waited_for_hands_back_no_reading()
    {
        var time = new FakeTimeProvider();
        using var limit = new RateLimitStrategy("r", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(1), QueueLimit = 1 }, time);
        Assert.Null(await limit.AdmitAsync(CancellationToken.None, out long first));
        Assert.NotEqual(TimeoutStrategy.NoTimestamp, first);

        ValueTask<Exception?> queued = limit.AdmitAsync(CancellationToken.None, out long waited);
        Assert.False(queued.IsCompleted);
        Assert.Equal(TimeoutStrategy.NoTimestamp, waited);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await queued);
    }

    [Fact]
    public async Task A_cancelled_call_a_disposed_limit_and_a_backend_hand_back_no_reading()
    {
        var time = new FakeTimeProvider();
        var limit = new RateLimitStrategy("r", TwoPerSecond, time);

        ValueTask<Exception?> cancelled = limit.AdmitAsync(new CancellationToken(canceled: true), out long reading);
        Assert.True(cancelled.IsCanceled);
        Assert.Equal(TimeoutStrategy.NoTimestamp, reading);

        limit.Backend = new AlwaysAcquired();
        Assert.Null(await limit.AdmitAsync(CancellationToken.None, out reading));
        Assert.Equal(TimeoutStrategy.NoTimestamp, reading);
        Assert.Null(limit.Admit(CancellationToken.None, out reading));
        Assert.Equal(TimeoutStrategy.NoTimestamp, reading);

        limit.Backend = null;
        limit.Dispose();
        Assert.IsType<ObjectDisposedException>(await limit.AdmitAsync(CancellationToken.None, out reading));
        Assert.Equal(TimeoutStrategy.NoTimestamp, reading);
    }

    [Fact]
    public async Task A_bulkhead_keeps_the_reading_only_when_a_slot_was_free_at_once()
    {
        var bulkhead = new Resilience.Bulkhead("b", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1 });
        long reading = 42;
        Assert.Null(await bulkhead.AdmitAsync(CancellationToken.None, ref reading));
        Assert.Equal(42, reading);

        ValueTask<Exception?> queued = bulkhead.AdmitAsync(CancellationToken.None, ref reading);
        Assert.False(queued.IsCompleted);
        Assert.Equal(TimeoutStrategy.NoTimestamp, reading);

        reading = 42;
        Assert.IsType<BulkheadRejectedException>(await bulkhead.AdmitAsync(CancellationToken.None, ref reading)); // queue full
        Assert.Equal(TimeoutStrategy.NoTimestamp, reading);

        bulkhead.Release();
        Assert.Null(await queued);
        bulkhead.Release();

        reading = 42;
        Assert.Null(bulkhead.Admit(CancellationToken.None, ref reading));
        Assert.Equal(42, reading);
        bulkhead.Release();

        var full = new Resilience.Bulkhead("full", new BulkheadOptions { MaxConcurrency = 1 });
        Assert.True(full.TryEnter());
        Assert.IsType<BulkheadRejectedException>(full.Admit(CancellationToken.None, ref reading));
        Assert.Equal(TimeoutStrategy.NoTimestamp, reading);
    }

    [Fact]
    public async Task A_worker_pool_always_drops_the_reading()
    {
        var pool = new Resilience.Bulkhead("w", new BulkheadOptions { MaxConcurrency = 1, Kind = BulkheadKind.WorkerPool });
        long reading = 42;
        Assert.Null(await pool.AdmitAsync(CancellationToken.None, ref reading)); // resumes on a worker thread
        Assert.Equal(TimeoutStrategy.NoTimestamp, reading);
        pool.Release();
        pool.ShutDown(); // its worker threads end
    }

    private sealed class AlwaysAcquired : IRateLimitBackend
    {
        public ValueTask<RateLimitDecision> AcquireAsync(string? partition, CancellationToken cancellationToken) => new(RateLimitDecision.Acquired);

        public RateLimitDecision Acquire(string? partition) => RateLimitDecision.Acquired;

        public void Reconfigure(RateLimitOptions options)
        {
        }

        public void Dispose()
        {
        }
    }
}
