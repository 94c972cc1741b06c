using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface IAdmittedService
{
    [RateLimit(PermitLimit = 1_000, WindowMs = 1_000)]
    [Bulkhead(MaxConcurrency = 1, MaxQueue = 1)]
    [Timeout(1_000)]
    Task<int> GetAsync(int id, CancellationToken cancellationToken);

    [RateLimit(PermitLimit = 1_000, WindowMs = 1_000)]
    [Timeout(1_000)]
    int Get(int id, CancellationToken cancellationToken);

    [Timeout(1_000)]
    Task<int> TimeoutOnlyAsync(int id, CancellationToken cancellationToken);

    [RateLimit(PermitLimit = 1_000, WindowMs = 1_000, KeyParameter = "id")]
    [Timeout(1_000)]
    Task<int> PerKeyAsync(int id, CancellationToken cancellationToken);

    [RateLimit(PermitLimit = 1_000, WindowMs = 1_000, KeyParameter = "id", Name = "per-key-alone")]
    Task<int> PerKeyAloneAsync(int id, CancellationToken cancellationToken);
}

/// <summary>An inner service whose calls end when the test says so, or at once.</summary>
public sealed class HeldService : IAdmittedService
{
    private readonly List<(int Id, TaskCompletionSource<int> Completion)> _calls = [];

    public bool Hold { get; set; }

    public int Count
    {
        get
        {
            lock (_calls)
            {
                return _calls.Count;
            }
        }
    }

    public Task<int> GetAsync(int id, CancellationToken cancellationToken) => Start(id, cancellationToken);

    public int Get(int id, CancellationToken cancellationToken) => id;

    public Task<int> TimeoutOnlyAsync(int id, CancellationToken cancellationToken) => Start(id, cancellationToken);

    public Task<int> PerKeyAsync(int id, CancellationToken cancellationToken) => Start(id, cancellationToken);

    public Task<int> PerKeyAloneAsync(int id, CancellationToken cancellationToken) => Start(id, cancellationToken);

    /// <summary>Completes the held call with <paramref name="id"/>.</summary>
    public void Complete(int id)
    {
        lock (_calls)
        {
            _calls.Single(c => c.Id == id).Completion.TrySetResult(id);
        }
    }

    private Task<int> Start(int id, CancellationToken cancellationToken)
    {
        if (!Hold)
        {
            return Task.FromResult(id);
        }

        var completion = new TaskCompletionSource<int>(); // continuations inline, as Pending.Until's
        cancellationToken.UnsafeRegister(static (state, token) => ((TaskCompletionSource<int>)state!).TrySetCanceled(token), completion);
        lock (_calls)
        {
            _calls.Add((id, completion));
        }

        return completion.Task;
    }
}

/// <summary>
/// The rate limit hands the clock reading it admitted a call at on to the timeout after it (README, "The order"): one
/// clock read per call, and never a reading older than the call's wait in the bulkhead.
/// </summary>
public sealed class ClockSharingTests : IDisposable
{
    private readonly ReadCountingTimeProvider _time = new();
    private readonly ResilienceRegistry _registry;
    private readonly HeldService _inner = new();
    private readonly AdmittedServiceResilient _proxy;

    public ClockSharingTests()
    {
        _registry = new ResilienceRegistry(_time);
        _proxy = new AdmittedServiceResilient(_inner, _registry);
    }

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task A_call_admitted_at_once_reads_the_clock_once_for_the_rate_limit_and_the_timeout()
    {
        Assert.Equal(7, await _proxy.GetAsync(7, CancellationToken.None)); // warm: the timeout's first source sets its timer
        int before = _time.Reads;
        Assert.Equal(8, await _proxy.GetAsync(8, CancellationToken.None));
        Assert.Equal(1, _time.Reads - before);

        Assert.Equal(8, _proxy.Get(8, CancellationToken.None)); // the synchronous path shares it too
        before = _time.Reads;
        Assert.Equal(9, _proxy.Get(9, CancellationToken.None));
        Assert.Equal(1, _time.Reads - before);
    }

    [Fact]
    public async Task Without_a_shared_reading_each_strategy_reads_the_clock_itself()
    {
        // A timeout alone reads it once; a per-key rate limit does not hand its reading on, so the timeout reads again.
        Assert.Equal(1, await _proxy.TimeoutOnlyAsync(1, CancellationToken.None));
        int before = _time.Reads;
        Assert.Equal(2, await _proxy.TimeoutOnlyAsync(2, CancellationToken.None));
        Assert.Equal(1, _time.Reads - before);

        Assert.Equal(3, await _proxy.PerKeyAloneAsync(3, CancellationToken.None));
        before = _time.Reads;
        Assert.Equal(3, await _proxy.PerKeyAloneAsync(3, CancellationToken.None));
        int perKeyAlone = _time.Reads - before;

        Assert.Equal(3, await _proxy.PerKeyAsync(3, CancellationToken.None));
        before = _time.Reads;
        Assert.Equal(3, await _proxy.PerKeyAsync(3, CancellationToken.None));
        Assert.Equal(perKeyAlone + 1, _time.Reads - before);
    }

    [Fact]
    public async Task A_call_admitted_at_once_gets_its_whole_timeout_from_its_admission()
    {
        _inner.Hold = true;
        Task<int> call = _proxy.GetAsync(1, CancellationToken.None);
        Assert.Equal(1, _inner.Count);

        Clock.AdvanceInline(_time, 999);
        Assert.False(call.IsCompleted);
        Clock.AdvanceInline(_time, 1);
        await Assert.ThrowsAsync<ResilienceTimeoutException>(() => Clock.Finish(call));
    }

    [Fact]
    public async Task A_call_that_waited_in_the_bulkhead_gets_its_whole_timeout_from_when_it_got_the_slot()
    {
        _inner.Hold = true;
        Task<int> first = _proxy.GetAsync(1, CancellationToken.None);
        Task<int> second = _proxy.GetAsync(2, CancellationToken.None); // admitted by the rate limit at 0 ms, then queued
        Assert.Equal(1, _inner.Count);

        Clock.AdvanceInline(_time, 600);
        _inner.Complete(1);
        Assert.Equal(1, await Clock.Finish(first));
        await WhenCount(2); // the second call has its slot at 600 ms: its timeout counts from there, not from 0 ms

        Clock.AdvanceInline(_time, 999);
        Assert.False(second.IsCompleted);
        Clock.AdvanceInline(_time, 1);
        await Assert.ThrowsAsync<ResilienceTimeoutException>(() => Clock.Finish(second));
    }

    private Task WhenCount(int count)
    {
        // The slot is handed over on the thread pool; the bound only keeps a broken run from hanging.
        Assert.True(SpinWait.SpinUntil(() => _inner.Count >= count, TimeSpan.FromSeconds(10)), $"{count} calls did not start");
        return Task.CompletedTask;
    }
}
