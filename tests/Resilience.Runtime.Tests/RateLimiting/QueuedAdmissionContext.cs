using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.RateLimiting;

/// <summary>The synchronization-context check shared by the local and the backend-fallback rate-limit tests.</summary>
internal static class QueuedAdmissionContext
{
    /// <summary>
    /// Spends the one permit of <paramref name="limit"/> and of key "a" of <paramref name="keyed"/> (each with a queue of
    /// one), starts an admission of each under a <see cref="RecordingSynchronizationContext"/>, lets the clock bring the
    /// permits back, and asserts both were admitted without a continuation posted to the caller's context.
    /// </summary>
    public static async Task AssertQueuedAdmissionsNeverResumeOnIt(RateLimitStrategy limit, KeyedRateLimitStrategy<string> keyed, FakeTimeProvider time)
    {
        Assert.True(limit.TryAcquire());
        Assert.True(keyed.TryAcquire("a"));
        var context = new RecordingSynchronizationContext();

        ValueTask<Exception?> admitted = context.Run(() => limit.AdmitAsync(CancellationToken.None));
        ValueTask<Exception?> keyedAdmitted = context.Run(() => keyed.AdmitAsync("a", CancellationToken.None));
        Assert.False(admitted.IsCompleted || keyedAdmitted.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Null(await admitted.AsTask().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false));
        Assert.Null(await keyedAdmitted.AsTask().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false));
        Assert.Equal(0, context.Posts);
    }
}
