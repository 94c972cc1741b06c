namespace Resilience;

/// <summary>
/// A named retry budget shared by every retry that names it (<c>[Retry(Budget = "payments-api")]</c>): a retry is
/// allowed only while the retries of the last <see cref="RetryBudgetOptions.Window"/> stay within
/// <c>Ratio × calls + MinRetriesPerSecond × Window</c>. A refused retry ends the sequence with its last failure and is
/// counted (<c>resilience.retry.budget_exhausted</c>). See docs/retry-budget.md.
/// </summary>
/// <remarks>
/// <para>
/// Calls and retries are counted in ten time buckets on the registry's <see cref="TimeProvider"/>. Counting takes no lock:
/// a call is one clock read and one <see cref="Interlocked.Increment(ref long)"/>; a bucket object is allocated once per
/// bucket length (a tenth of the window) when the first call of that bucket arrives, never per call.
/// </para>
/// <para>
/// The check and the count of a retry are two steps: retries decided at the same instant on several threads may each
/// see the same room, so the budget can be exceeded by at most the number of threads retrying at once.
/// </para>
/// </remarks>
public sealed class RetryBudget
{
    /// <summary>Buckets per window.</summary>
    internal const int BucketCount = 10;

    private readonly Bucket?[] _buckets = new Bucket?[BucketCount];
    private readonly TimeProvider _timeProvider;
    private Settings _settings;

    /// <summary>Creates a budget.</summary>
    /// <param name="name">The budget's name, the <c>resilience.retry.budget</c> tag.</param>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public RetryBudget(string name, RetryBudgetOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Name = name;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _settings = new Settings(options.Clone(), _timeProvider);
    }

    /// <summary>The budget's name.</summary>
    public string Name { get; }

    /// <summary>The current settings (they change when configuration is reloaded).</summary>
    public RetryBudgetOptions Options => Volatile.Read(ref _settings).Options.Clone();

    /// <summary>Counts a call (a first attempt). Lock-free; allocates nothing except a bucket per bucket length.</summary>
    public void RecordCall()
    {
        Settings settings = Volatile.Read(ref _settings);
        Bucket bucket = Current(settings, out _);
        Interlocked.Increment(ref bucket.Calls);
    }

    /// <summary>Whether a retry fits the budget now; when it does, it is counted.</summary>
    public bool TryRetry()
    {
        Settings settings = Volatile.Read(ref _settings);
        Bucket current = Current(settings, out long epoch);
        Sum(epoch, out long calls, out long retries);
        if (retries + 1 > (settings.Options.Ratio * calls) + settings.Floor)
        {
            return false;
        }

        Interlocked.Increment(ref current.Retries);
        return true;
    }

    /// <summary>The calls and retries counted in the current window.</summary>
    internal void ReadWindow(out long calls, out long retries)
        => Sum(_timeProvider.GetTimestamp() / Volatile.Read(ref _settings).BucketTicks, out calls, out retries);

    private void Sum(long epoch, out long calls, out long retries)
    {
        calls = 0;
        retries = 0;
        Bucket?[] buckets = _buckets;
        for (int i = 0; i < buckets.Length; i++)
        {
            if (Volatile.Read(ref buckets[i]) is { } bucket && bucket.Epoch > epoch - BucketCount && bucket.Epoch <= epoch)
            {
                calls += Volatile.Read(ref bucket.Calls);
                retries += Volatile.Read(ref bucket.Retries);
            }
        }
    }

    /// <summary>Applies new settings from now on (configuration reload); the counts are kept when the window's length is the same.</summary>
    /// <param name="options">The new settings; validated here.</param>
    internal void Reconfigure(RetryBudgetOptions options)
    {
        options.Validate();
        var settings = new Settings(options.Clone(), _timeProvider);
        if (settings.BucketTicks != Volatile.Read(ref _settings).BucketTicks)
        {
            for (int i = 0; i < _buckets.Length; i++)
            {
                Volatile.Write(ref _buckets[i], null);
            }
        }

        Volatile.Write(ref _settings, settings);
    }

    /// <summary>The bucket of now, replacing a slot's bucket from an earlier turn of the window.</summary>
    private Bucket Current(Settings settings, out long epoch)
    {
        epoch = _timeProvider.GetTimestamp() / settings.BucketTicks;
        ref Bucket? slot = ref _buckets[(int)(epoch % BucketCount)];
        while (true)
        {
            Bucket? bucket = Volatile.Read(ref slot);
            if (bucket is not null && bucket.Epoch >= epoch)
            {
                return bucket; // a later epoch only when another thread read the clock after this one: count it there
            }

            var fresh = new Bucket(epoch);
            if (Interlocked.CompareExchange(ref slot, fresh, bucket) == bucket)
            {
                return fresh;
            }
        }
    }

    private sealed class Bucket(long epoch)
    {
        public readonly long Epoch = epoch;
        public long Calls;
        public long Retries;
    }

    private sealed class Settings
    {
        public Settings(RetryBudgetOptions options, TimeProvider timeProvider)
        {
            Options = options;
            double windowSeconds = options.Window.TotalSeconds;
            Floor = options.MinRetriesPerSecond * windowSeconds;
            BucketTicks = Math.Max(1, (long)(timeProvider.TimestampFrequency * windowSeconds / BucketCount));
        }

        public RetryBudgetOptions Options { get; }

        public double Floor { get; }

        public long BucketTicks { get; }
    }
}
