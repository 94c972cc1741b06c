namespace Resilience;

/// <summary>
/// The counts of a <see cref="CircuitBreaker"/>: per-outcome totals over a rolling window split into time buckets,
/// plus the current success and failure streaks. Not thread-safe: the breaker calls it under its lock.
/// </summary>
/// <remarks>
/// The window is <see cref="BucketCount"/> buckets of <c>floor(SamplingDuration / BucketCount)</c> each, keyed by
/// <see cref="TimeProvider.GetTimestamp"/>; an outcome stops counting no later than one sampling duration after it
/// was recorded (and no earlier than nine tenths of it).
/// </remarks>
internal sealed class RollingCounts
{
    public const int BucketCount = 10;

    private readonly Bucket[] _buckets = new Bucket[BucketCount];
    private readonly long _bucketLength;
    private readonly long _origin;
    private int _consecutiveSuccesses;
    private int _consecutiveFailures;

    /// <param name="samplingDuration">The window; positive.</param>
    /// <param name="timestampFrequency">Timestamp units per second of the clock.</param>
    /// <param name="origin">A timestamp at or before the first one this instance will see.</param>
    public RollingCounts(TimeSpan samplingDuration, long timestampFrequency, long origin)
    {
        double window = samplingDuration.Ticks * ((double)timestampFrequency / TimeSpan.TicksPerSecond);
        double bucket = Math.Floor(window / BucketCount);
        _bucketLength = bucket < 1 ? 1 : bucket > long.MaxValue / 4 ? long.MaxValue / 4 : (long)bucket;
        _origin = origin;
    }

    public void AddSuccess(long timestamp)
    {
        ref Bucket bucket = ref Current(timestamp);
        bucket.Successes++;
        _consecutiveFailures = 0;
        if (_consecutiveSuccesses < int.MaxValue)
        {
            _consecutiveSuccesses++;
        }
    }

    public void AddFailure(long timestamp, bool timeout)
    {
        ref Bucket bucket = ref Current(timestamp);
        bucket.Failures++;
        if (timeout)
        {
            bucket.Timeouts++;
        }

        _consecutiveSuccesses = 0;
        if (_consecutiveFailures < int.MaxValue)
        {
            _consecutiveFailures++;
        }
    }

    public CircuitCounts Snapshot(long timestamp)
    {
        long epoch = EpochOf(timestamp);
        long successes = 0, failures = 0, timeouts = 0;
        for (int i = 0; i < _buckets.Length; i++)
        {
            ref readonly Bucket bucket = ref _buckets[i];
            if (bucket.Epoch <= epoch && bucket.Epoch > epoch - BucketCount)
            {
                successes += bucket.Successes;
                failures += bucket.Failures;
                timeouts += bucket.Timeouts;
            }
        }

        return new CircuitCounts
        {
            Requests = successes + failures,
            Successes = successes,
            Failures = failures,
            Timeouts = timeouts,
            ConsecutiveSuccesses = _consecutiveSuccesses,
            ConsecutiveFailures = _consecutiveFailures,
        };
    }

    public void Clear()
    {
        Array.Clear(_buckets);
        _consecutiveSuccesses = 0;
        _consecutiveFailures = 0;
    }

    private long EpochOf(long timestamp)
    {
        long elapsed = timestamp - _origin;
        return elapsed <= 0 ? 0 : elapsed / _bucketLength;
    }

    private ref Bucket Current(long timestamp)
    {
        long epoch = EpochOf(timestamp);
        ref Bucket bucket = ref _buckets[(int)(epoch % BucketCount)];
        if (bucket.Epoch != epoch)
        {
            bucket = new Bucket { Epoch = epoch };
        }

        return ref bucket;
    }

    private struct Bucket
    {
        public long Epoch;
        public long Successes;
        public long Failures;
        public long Timeouts;
    }
}
