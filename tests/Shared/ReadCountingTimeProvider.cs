using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests.Shared;

/// <summary>A fake clock that counts how often its timestamp is read (<see cref="FakeTimeProvider.GetTimestamp"/>).</summary>
public sealed class ReadCountingTimeProvider : FakeTimeProvider
{
    private int _reads;

    /// <summary>Timestamp reads so far, from any thread.</summary>
    public int Reads => Volatile.Read(ref _reads);

    /// <inheritdoc />
    public override long GetTimestamp()
    {
        Interlocked.Increment(ref _reads);
        return base.GetTimestamp();
    }
}
