namespace Resilience.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Counts the calls that reach an inner service and lets a test await the n-th one, so the test can advance fake
/// time step by step without polling.
/// </summary>
public sealed class AttemptLog
{
    private static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(10);

    private readonly object _lock = new();
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
    private readonly List<CancellationToken> _tokens = [];
    private int _count;

    /// <summary>How many calls reached the inner service.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The token each call received, in call order.</summary>
    public IReadOnlyList<CancellationToken> Tokens
    {
        get
        {
            lock (_lock)
            {
                return [.. _tokens];
            }
        }
    }

    /// <summary>Records one call and returns its 1-based number.</summary>
    public int Record(CancellationToken token = default)
    {
        List<TaskCompletionSource>? ready = null;
        int count;
        lock (_lock)
        {
            count = ++_count;
            _tokens.Add(token);
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Count <= count)
                {
                    (ready ??= []).Add(_waiters[i].Signal);
                    _waiters.RemoveAt(i);
                }
            }
        }

        if (ready is not null)
        {
            foreach (TaskCompletionSource signal in ready)
            {
                signal.TrySetResult();
            }
        }

        return count;
    }

    /// <summary>Completes once <paramref name="count"/> calls were recorded (fails the test after a generous safety timeout).</summary>
    public Task WhenCount(int count)
    {
        lock (_lock)
        {
            if (_count >= count)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
            return signal.Task.WaitAsync(SafetyTimeout);
        }
    }
}
