using System.Threading.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.RateLimiting;

/// <summary><c>Admit</c> and <c>AdmitAsync</c> of both rate limits: a rejection is handed back, never thrown.</summary>
public sealed class RateLimitAdmitTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void AdmitAsync_hands_back_the_rejection_with_its_RetryAfter_synchronously()
    {
        using var limit = Create(permitLimit: 2, queueLimit: 0);
        Assert.Null(limit.Admit(CancellationToken.None));
        ValueTask<Exception?> second = limit.AdmitAsync(CancellationToken.None);
        Assert.True(second.IsCompletedSuccessfully);
        Assert.Null(second.Result);

        ValueTask<Exception?> rejected = limit.AdmitAsync(CancellationToken.None);
        Exception? syncRejected = limit.Admit(CancellationToken.None);

        Assert.True(rejected.IsCompletedSuccessfully);
        var value = Assert.IsType<RateLimitRejectedException>(rejected.Result);
        Assert.Equal("api", value.InstanceName);
        Assert.Equal(TimeSpan.FromMilliseconds(500), value.RetryAfter); // a token every 500 ms
        Assert.Equal("Rate limit 'api' rejected the call. Retry after 500 ms.", value.Message);
        Assert.Equal(TimeSpan.FromMilliseconds(500), Assert.IsType<RateLimitRejectedException>(syncRejected).RetryAfter);

        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Null(limit.Admit(CancellationToken.None));
    }

    [Fact]
    public async Task A_queued_AdmitAsync_gets_the_permit_when_it_comes_and_a_full_queue_is_a_value()
    {
        using var limit = Create(permitLimit: 1, queueLimit: 1);
        Assert.Null(await limit.AdmitAsync(CancellationToken.None));
        ValueTask<Exception?> queued = limit.AdmitAsync(CancellationToken.None);
        Assert.False(queued.IsCompleted);

        Exception? full = await limit.AdmitAsync(CancellationToken.None);
        Assert.IsType<RateLimitRejectedException>(full);
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => limit.AcquireAsync(CancellationToken.None).AsTask());

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await queued.AsTask().WaitAsync(Safety));
    }

    [Fact]
    public async Task A_queued_caller_of_a_disposed_limit_gets_ObjectDisposedException_as_the_value()
    {
        var limit = Create(permitLimit: 1, queueLimit: 1);
        Assert.Null(limit.Admit(CancellationToken.None));
        ValueTask<Exception?> queued = limit.AdmitAsync(CancellationToken.None);
        Task thrown = Task.CompletedTask;

        limit.Dispose();

        Assert.IsType<ObjectDisposedException>(await queued.AsTask().WaitAsync(Safety));
        Assert.IsType<ObjectDisposedException>(await limit.AdmitAsync(CancellationToken.None));
        Assert.IsType<ObjectDisposedException>(limit.Admit(CancellationToken.None));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => limit.AcquireAsync(CancellationToken.None).AsTask());
        Assert.Throws<ObjectDisposedException>(() => limit.Acquire(CancellationToken.None));
        await thrown;
    }

    [Fact]
    public async Task A_cancelled_token_cancels_and_takes_no_permit()
    {
        using var limit = Create(permitLimit: 1, queueLimit: 1);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => limit.AdmitAsync(cancel.Token).AsTask());
        Assert.ThrowsAny<OperationCanceledException>(() => limit.Admit(cancel.Token));

        Assert.True(limit.TryAcquire()); // the one permit is still there
        using var later = new CancellationTokenSource();
        ValueTask<Exception?> waiting = limit.AdmitAsync(later.Token);
        later.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.AsTask().WaitAsync(Safety));
    }

    [Fact]
    public async Task Keyed_AdmitAsync_and_Admit_hand_back_each_keys_rejection()
    {
        using var limit = new KeyedRateLimitStrategy<string>("tenants", Options(permitLimit: 1, queueLimit: 0), _time);
        Assert.Null(await limit.AdmitAsync("a", CancellationToken.None));
        Assert.Null(limit.Admit("b", CancellationToken.None));

        ValueTask<Exception?> a = limit.AdmitAsync("a", CancellationToken.None);
        Exception? b = limit.Admit("b", CancellationToken.None);

        Assert.True(a.IsCompletedSuccessfully);
        var rejected = Assert.IsType<RateLimitRejectedException>(a.Result);
        Assert.Equal("tenants", rejected.InstanceName);
        Assert.Equal(TimeSpan.FromSeconds(1), rejected.RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.IsType<RateLimitRejectedException>(b).RetryAfter);
        Assert.Throws<RateLimitRejectedException>(() => limit.Acquire("a", CancellationToken.None));
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => limit.AcquireAsync("b", CancellationToken.None).AsTask());
        Assert.Null(limit.Admit("c", CancellationToken.None));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await limit.AdmitAsync("a", CancellationToken.None));
    }

    [Fact]
    public async Task Keyed_queued_AdmitAsync_waits_for_the_keys_permit_and_a_cancelled_token_takes_none()
    {
        using var limit = new KeyedRateLimitStrategy<int>("tenants", Options(permitLimit: 1, queueLimit: 1), _time);
        Assert.Null(limit.Admit(1, CancellationToken.None));
        ValueTask<Exception?> queued = limit.AdmitAsync(1, CancellationToken.None);
        Assert.False(queued.IsCompleted);
        Assert.IsType<RateLimitRejectedException>(await limit.AdmitAsync(1, CancellationToken.None));
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => limit.AdmitAsync(2, cancel.Token).AsTask());
        Assert.ThrowsAny<OperationCanceledException>(() => limit.Admit(2, cancel.Token));

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Null(await queued.AsTask().WaitAsync(Safety));
        Assert.True(limit.TryAcquire(2)); // key 2 kept its permit
    }

    private static RateLimitOptions Options(int permitLimit, int queueLimit)
        => new() { Algorithm = RateLimitAlgorithm.TokenBucket, PermitLimit = permitLimit, Window = TimeSpan.FromSeconds(1), QueueLimit = queueLimit };

    private RateLimitStrategy Create(int permitLimit, int queueLimit) => new("api", Options(permitLimit, queueLimit), _time);
}
