namespace Resilience;

/// <summary>
/// The counts of a <see cref="CircuitBreaker"/>: per-outcome totals over a rolling window split into time buckets,
/// plus the current success and failure streaks. Everything but <see cref="TryAddSuccess"/> is called under the
/// breaker's lock; <see cref="TryAddSuccess"/> is lock-free, so a closed breaker records a success without the lock.
/// </summary>
/// <remarks>
/// <para>
/// The window is <see cref="BucketCount"/> buckets of <c>floor(SamplingDuration / BucketCount)</c> each (at least one
/// clock unit), keyed by the breaker's count clock; an outcome stops counting no later than one sampling duration after
/// it was recorded (and no earlier than nine tenths of it).
/// </para>
/// <para>
/// Successes live in one word per bucket, <c>[tag:16][epoch:32][count:16]</c>, changed only by compare-and-swap. The tag
/// is the low 16 bits of the breaker's period: every state change retags the words under the lock, so a success from an
/// earlier period fails its compare-and-swap and takes the locked path, where it is ignored. The epoch says which bucket
/// the word counts; only the locked path moves a bucket to a new epoch. A full count spills into the bucket's locked
/// <see cref="Bucket.SpilledSuccesses"/>. The streaks are derived, so a success writes nothing else: the total of
/// successes ever recorded (window and retired buckets) is compared with the total at the last failure.
/// </para>
/// </remarks>
internal sealed class RollingCounts
{
    public const int BucketCount = 10;

    private const int CountBits = 16;
    private const long CountMask = (1L << CountBits) - 1;
    private const int EpochBits = 32;
    private const long EpochMask = (1L << EpochBits) - 1;
    private const int TagShift = CountBits + EpochBits;
    private const long TagMask = 0xFFFF;
    private const long TagBits = TagMask << TagShift;

    private readonly long[] _successWords = new long[BucketCount];
    private readonly Bucket[] _buckets = new Bucket[BucketCount];
    private readonly long _bucketLength;
    private readonly long _origin;
    private long _tag;

    // Successes of buckets that left the window (or arrived too late for theirs), since the last clear.
    private long _retiredSuccesses;

    // The total of successes when the last failure was recorded, and the failures in a row up to it.
    private long _successesAtLastFailure;
    private int _failureRun;

    /// <param name="samplingDuration">The window; positive.</param>
    /// <param name="frequency">Units per second of the count clock.</param>
    /// <param name="origin">A count-clock reading at or before the first one this instance will see.</param>
    /// <param name="period">The breaker's current period (its status); successes of this period are counted lock-free.</param>
    public RollingCounts(TimeSpan samplingDuration, long frequency, long origin, long period)
    {
        double window = samplingDuration.Ticks * ((double)frequency / TimeSpan.TicksPerSecond);
        double bucket = Math.Floor(window / BucketCount);
        _bucketLength = bucket < 1 ? 1 : bucket > long.MaxValue / 4 ? long.MaxValue / 4 : (long)bucket;
        _origin = origin;
        Retag(period);
    }

    /// <summary>The tag of a period: its generation's low 16 bits.</summary>
    public static long TagOf(long period) => ((period >> 2) & TagMask) << TagShift;

    /// <summary>
    /// Lock-free: counts a success of <paramref name="period"/> at <paramref name="timestamp"/> when that period is still
    /// the current one and the timestamp's bucket is the one in place. <see langword="false"/>: nothing was counted; take
    /// the lock and call <see cref="AddSuccess"/> (when the period is still the current one).
    /// </summary>
    public bool TryAddSuccess(long period, long timestamp)
    {
        long epoch = EpochOf(timestamp);
        ref long word = ref _successWords[(int)(epoch % BucketCount)];
        long expected = TagOf(period) | ((epoch & EpochMask) << CountBits);
        while (true)
        {
            long current = Volatile.Read(ref word);
            if ((current & ~CountMask) != expected || (current & CountMask) == CountMask)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref word, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Counts a success. Call under the lock.</summary>
    public void AddSuccess(long timestamp)
    {
        long epoch = EpochOf(timestamp);
        int slot = (int)(epoch % BucketCount);
        if (!MoveTo(slot, epoch))
        {
            _retiredSuccesses++;
            return;
        }

        ref long word = ref _successWords[slot];
        while (true)
        {
            long current = Volatile.Read(ref word);
            if ((current & CountMask) == CountMask)
            {
                if (Interlocked.CompareExchange(ref word, current & ~CountMask, current) == current)
                {
                    _buckets[slot].SpilledSuccesses += CountMask;
                }
            }
            else if (Interlocked.CompareExchange(ref word, current + 1, current) == current)
            {
                return;
            }
        }
    }

    /// <summary>Counts a failure. Call under the lock.</summary>
    public void AddFailure(long timestamp, bool timeout)
    {
        long total = TotalSuccesses();
        _failureRun = total != _successesAtLastFailure ? 1 : _failureRun == int.MaxValue ? int.MaxValue : _failureRun + 1;
        _successesAtLastFailure = total;

        long epoch = EpochOf(timestamp);
        int slot = (int)(epoch % BucketCount);
        if (MoveTo(slot, epoch))
        {
            ref Bucket bucket = ref _buckets[slot];
            bucket.Failures++;
            if (timeout)
            {
                bucket.Timeouts++;
            }
        }
    }

    /// <summary>
    /// The counts as of <paramref name="timestamp"/>. Call under the lock. <paramref name="afterFailure"/>: right after
    /// <see cref="AddFailure"/>, the streaks as that failure left them, even if a success was counted lock-free since.
    /// </summary>
    public CircuitCounts Snapshot(long timestamp, bool afterFailure = false)
    {
        long epoch = EpochOf(timestamp);
        long successes = 0, failures = 0, timeouts = 0, total = _retiredSuccesses;
        for (int i = 0; i < _buckets.Length; i++)
        {
            ref readonly Bucket bucket = ref _buckets[i];
            long bucketSuccesses = (Volatile.Read(ref _successWords[i]) & CountMask) + bucket.SpilledSuccesses;
            total += bucketSuccesses;
            if (bucket.Epoch <= epoch && bucket.Epoch > epoch - BucketCount)
            {
                successes += bucketSuccesses;
                failures += bucket.Failures;
                timeouts += bucket.Timeouts;
            }
        }

        long sinceFailure = afterFailure ? 0 : total - _successesAtLastFailure;
        return new CircuitCounts
        {
            Requests = successes + failures,
            Successes = successes,
            Failures = failures,
            Timeouts = timeouts,
            ConsecutiveSuccesses = sinceFailure > int.MaxValue ? int.MaxValue : (int)sinceFailure,
            ConsecutiveFailures = sinceFailure == 0 ? _failureRun : 0,
        };
    }

    /// <summary>Zeroes every count and streak, keeping the buckets' epochs. Call under the lock.</summary>
    public void Clear()
    {
        for (int i = 0; i < _buckets.Length; i++)
        {
            Interlocked.Exchange(ref _successWords[i], _tag | ((_buckets[i].Epoch & EpochMask) << CountBits));
            _buckets[i] = new Bucket { Epoch = _buckets[i].Epoch };
        }

        _retiredSuccesses = 0;
        _successesAtLastFailure = 0;
        _failureRun = 0;
    }

    /// <summary>
    /// Makes <paramref name="period"/> the one whose successes are counted lock-free; successes of any other period
    /// then fail <see cref="TryAddSuccess"/>. Call under the lock, before the new period is published.
    /// </summary>
    public void Retag(long period)
    {
        _tag = TagOf(period);
        for (int i = 0; i < _successWords.Length; i++)
        {
            long current;
            do
            {
                current = Volatile.Read(ref _successWords[i]);
            }
            while (Interlocked.CompareExchange(ref _successWords[i], (current & ~TagBits) | _tag, current) != current);
        }
    }

    private long TotalSuccesses()
    {
        long total = _retiredSuccesses;
        for (int i = 0; i < _buckets.Length; i++)
        {
            total += (Volatile.Read(ref _successWords[i]) & CountMask) + _buckets[i].SpilledSuccesses;
        }

        return total;
    }

    private long EpochOf(long timestamp)
    {
        long elapsed = timestamp - _origin;
        return elapsed <= 0 ? 0 : elapsed / _bucketLength;
    }

    /// <summary>
    /// Puts bucket <paramref name="slot"/> at <paramref name="epoch"/>, retiring what it counted for an older epoch;
    /// <see langword="false"/> when it already counts a newer one (the outcome is older than the window). Under the lock.
    /// </summary>
    private bool MoveTo(int slot, long epoch)
    {
        ref Bucket bucket = ref _buckets[slot];
        if (bucket.Epoch == epoch)
        {
            return true;
        }

        if (bucket.Epoch > epoch)
        {
            return false;
        }

        long old = Interlocked.Exchange(ref _successWords[slot], _tag | ((epoch & EpochMask) << CountBits));
        _retiredSuccesses += (old & CountMask) + bucket.SpilledSuccesses;
        bucket = new Bucket { Epoch = epoch };
        return true;
    }

    private struct Bucket
    {
        public long Epoch;
        public long SpilledSuccesses;
        public long Failures;
        public long Timeouts;
    }
}
