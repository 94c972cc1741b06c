using System.Globalization;

namespace Resilience;

/// <summary>Settings of a <see cref="WorkerPool"/>. Read and validated once, at construction.</summary>
public sealed class WorkerPoolOptions
{
    /// <summary>Jobs run at once (the number of workers); at least 1. Default 10.</summary>
    public int MaxConcurrency { get; set; } = BulkheadDefaults.MaxConcurrency;

    /// <summary>Jobs allowed to wait for a worker, run oldest first; at least 1. Default 100.</summary>
    public int MaxQueue { get; set; } = 100;

    /// <summary>
    /// How long stopping the application waits for the queued and running jobs to finish (the deadline the hosted
    /// service passes to <see cref="WorkerPool.ShutdownAsync"/>); not negative. Default 20 seconds, below the host's own 30-second default.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting to change when a value is invalid.</summary>
    public void Validate()
    {
        if (MaxConcurrency < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency, string.Create(CultureInfo.InvariantCulture, $"MaxConcurrency must be at least 1; got {MaxConcurrency}."));
        }

        if (MaxQueue < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxQueue), MaxQueue, string.Create(CultureInfo.InvariantCulture, $"MaxQueue must be at least 1; got {MaxQueue}."));
        }

        if (ShutdownTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ShutdownTimeout), ShutdownTimeout, string.Create(CultureInfo.InvariantCulture, $"ShutdownTimeout must not be negative; got {ShutdownTimeout}."));
        }
    }
}
