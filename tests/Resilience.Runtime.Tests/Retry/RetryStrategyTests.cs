using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Retry;

[Collection(AllocationCollection.Name)]
public sealed class RetryStrategyTests
{
    private readonly FakeTimeProvider _clock = new();

    private RetryStrategy Strategy(int maxRetries = 3, double delayMs = 100, BackoffType backoff = BackoffType.Exponential, IRetryPolicy? policy = null, TimeSpan attemptTimeout = default) =>
        new("test.retry", new RetryOptions { MaxRetries = maxRetries, Delay = TimeSpan.FromMilliseconds(delayMs), Backoff = backoff, Jitter = 0, Policy = policy, AttemptTimeout = attemptTimeout }, _clock);

    [Fact]
    public void Retries_up_to_MaxRetries_and_no_further()
    {
        RetryStrategy retry = Strategy(maxRetries: 3);
        var ex = new InvalidOperationException();

        Assert.True(retry.ShouldRetry(ex, 1, CancellationToken.None));
        Assert.True(retry.ShouldRetry(ex, 3, CancellationToken.None));
        Assert.False(retry.ShouldRetry(ex, 4, CancellationToken.None));
        Assert.False(retry.ShouldRetry(ex, int.MaxValue, CancellationToken.None));
        Assert.False(Strategy(maxRetries: 0).ShouldRetry(ex, 1, CancellationToken.None));
    }

    [Fact]
    public void A_cancelled_sequence_token_stops_retrying()
    {
        RetryStrategy retry = Strategy();
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.False(retry.ShouldRetry(new IOException(), 1, cts.Token));
        Assert.False(retry.ShouldRetryResult(1, cts.Token));
    }

    [Fact]
    public void PermanentException_is_never_retried_even_by_a_custom_policy_that_retries_everything()
    {
        var policy = new AlwaysRetryPolicy();
        RetryStrategy retry = Strategy(policy: policy);

        Assert.False(retry.ShouldRetry(new PermanentException("not found"), 1, CancellationToken.None));
        Assert.False(retry.ShouldRetry(new SubPermanentException(), 1, CancellationToken.None));
        Assert.Equal(0, policy.Asked);

        // The custom policy decides everything else, including what the built-in ones refuse.
        Assert.True(retry.ShouldRetry(new TestRejectedException(), 1, CancellationToken.None));
        Assert.Equal(1, policy.Asked);
        Assert.False(retry.ShouldRetry(new IOException(), 4, CancellationToken.None)); // MaxRetries still applies
        Assert.Same(policy, retry.Policy);
    }

    [Fact]
    public void A_cancellation_from_another_token_is_an_ordinary_failure_when_the_caller_passed_no_token()
    {
        RetryStrategy retry = Strategy();

        // An HTTP client's own timeout surfaces as a TaskCanceledException; with no caller token it is not "ours".
        Assert.True(retry.ShouldRetry(new OperationCanceledException(), 1, CancellationToken.None));
        Assert.True(retry.ShouldRetry(new TaskCanceledException(), 1, CancellationToken.None));
    }

    [Fact]
    public void The_callers_own_cancellation_is_not_retried_but_an_attempt_timeout_is()
    {
        RetryStrategy retry = Strategy();
        using var caller = new CancellationTokenSource();
        using var attempt = new CancellationTokenSource();
        attempt.Cancel();

        Assert.False(retry.ShouldRetry(new OperationCanceledException(caller.Token), 1, caller.Token));
        Assert.True(retry.ShouldRetry(new OperationCanceledException(attempt.Token), 1, caller.Token));
        Assert.True(retry.ShouldRetry(new ResilienceTimeoutException("test.retry.attempt", TimeSpan.FromSeconds(1)), 1, caller.Token));
    }

    [Fact]
    public void Rejections_follow_the_policy_defaults()
    {
        var optedIn = new RetryStrategy("r", new RetryOptions { RetryOn = new[] { typeof(TestRejectedException) } }, _clock);

        Assert.False(Strategy().ShouldRetry(new TestRejectedException(), 1, CancellationToken.None));
        Assert.True(optedIn.ShouldRetry(new SubRejectedException(), 1, CancellationToken.None));
    }

    [Fact]
    public void ShouldRetryResult_checks_only_the_count_and_the_token()
    {
        RetryStrategy retry = Strategy(maxRetries: 2);

        Assert.True(retry.ShouldRetryResult(1, CancellationToken.None));
        Assert.True(retry.ShouldRetryResult(2, CancellationToken.None));
        Assert.False(retry.ShouldRetryResult(3, CancellationToken.None));
    }

    [Fact]
    public void Exposes_its_settings_and_builds_the_attempt_timeout()
    {
        RetryStrategy plain = Strategy(maxRetries: 4, backoff: BackoffType.Linear);
        RetryStrategy timed = Strategy(attemptTimeout: TimeSpan.FromMilliseconds(250));

        Assert.Equal("test.retry", plain.Name);
        Assert.Equal(4, plain.MaxRetries);
        Assert.IsType<LinearBackoff>(plain.Policy);
        Assert.Null(plain.AttemptTimeout);
        Assert.NotNull(timed.AttemptTimeout);
        Assert.Equal("test.retry.attempt", timed.AttemptTimeout!.Name);
        Assert.Equal(TimeSpan.FromMilliseconds(250), timed.AttemptTimeout.Timeout);
    }

    [Fact]
    public void The_attempt_timeout_runs_on_the_strategys_clock()
    {
        RetryStrategy retry = Strategy(attemptTimeout: TimeSpan.FromMilliseconds(250));
        using TimeoutScope scope = retry.AttemptTimeout!.Start(CancellationToken.None);

        _clock.Advance(TimeSpan.FromMilliseconds(249));
        Assert.False(scope.Token.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(scope.IsExpired);
    }

    [Theory]
    [InlineData(BackoffType.Exponential, 1, 100)]
    [InlineData(BackoffType.Exponential, 3, 400)]
    [InlineData(BackoffType.Linear, 3, 300)]
    [InlineData(BackoffType.Constant, 3, 100)]
    public async Task DelayAsync_completes_exactly_when_the_clock_reaches_the_delay(BackoffType backoff, int attempt, double expectedMs)
    {
        RetryStrategy retry = Strategy(backoff: backoff);

        Task wait = retry.DelayAsync(attempt, CancellationToken.None).AsTask();
        Assert.False(wait.IsCompleted);

        _clock.Advance(TimeSpan.FromMilliseconds(expectedMs) - TimeSpan.FromTicks(1));
        await Task.Yield();
        Assert.False(wait.IsCompleted);

        _clock.Advance(TimeSpan.FromTicks(1));
        await wait; // completes without further time
        Assert.True(wait.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Cancelling_during_a_delay_ends_the_wait_at_once()
    {
        RetryStrategy retry = Strategy(delayMs: 10_000);
        using var cts = new CancellationTokenSource();

        Task wait = retry.DelayAsync(1, cts.Token).AsTask();
        Assert.False(wait.IsCompleted);
        cts.Cancel(); // no time passes

        Assert.True(wait.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    [Fact]
    public async Task An_already_cancelled_token_ends_the_wait_at_once()
    {
        RetryStrategy retry = Strategy();
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        ValueTask wait = retry.DelayAsync(1, cts.Token);

        Assert.True(wait.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.AsTask());
        Assert.ThrowsAny<OperationCanceledException>(() => retry.Delay(1, cts.Token));
    }

    [Fact]
    public void Zero_delay_completes_synchronously_without_allocating()
    {
        RetryStrategy retry = Strategy(delayMs: 0);

        Assert.True(retry.DelayAsync(1, CancellationToken.None).IsCompletedSuccessfully);
        retry.Delay(2, CancellationToken.None); // returns at once, no clock advance

        using var cts = new CancellationTokenSource();
        long allocated = AllocationProbe.Least(() =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                ValueTask wait = retry.DelayAsync((i % 3) + 1, cts.Token);
                Assert.True(wait.IsCompletedSuccessfully);
            }
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task Synchronous_Delay_blocks_until_the_clock_reaches_the_delay()
    {
        var clock = new SignallingTimeProvider();
        var retry = new RetryStrategy("sync", new RetryOptions { Delay = TimeSpan.FromMilliseconds(100), Jitter = 0 }, clock);

        Task blocked = Task.Run(() => retry.Delay(2, CancellationToken.None));
        Assert.True(clock.TimerCreated.Wait(TimeSpan.FromSeconds(10)), "the delay never started a timer");

        clock.Advance(TimeSpan.FromMilliseconds(199));
        Assert.False(blocked.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await blocked.WaitAsync(TimeSpan.FromSeconds(10)); // safety net only; completes as soon as the thread wakes
    }

    [Fact]
    public async Task Synchronous_Delay_ends_with_OperationCanceledException_when_cancelled()
    {
        var clock = new SignallingTimeProvider();
        var retry = new RetryStrategy("sync", new RetryOptions { Delay = TimeSpan.FromMilliseconds(100), Jitter = 0 }, clock);
        using var cts = new CancellationTokenSource();

        Task blocked = Task.Run(() => retry.Delay(1, cts.Token));
        Assert.True(clock.TimerCreated.Wait(TimeSpan.FromSeconds(10)), "the delay never started a timer");
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void The_retry_decision_and_the_delay_do_not_allocate()
    {
        var shared = new RetryStrategy("a", new RetryOptions { MaxRetries = 5, Jitter = 0.2 }, _clock);
        var seeded = new RetryStrategy("b", new RetryOptions { MaxRetries = 5, Jitter = 0.5, Random = new Random(3), Backoff = BackoffType.Linear }, _clock);
        var filtered = new RetryStrategy("c", new RetryOptions { MaxRetries = 5, RetryOn = new[] { typeof(TimeoutException), typeof(IOException) } }, _clock);
        var io = new FileNotFoundException();
        var rejected = new TestRejectedException();
        var permanent = new PermanentException();
        using var cts = new CancellationTokenSource();
        var canceled = new OperationCanceledException(cts.Token);
        CancellationToken token = cts.Token;

        long ticks = 0;
        int retried = 0;
        void Pass()
        {
            for (int i = 0; i < 10_000; i++)
            {
                int attempt = (i % 6) + 1;
                retried += shared.ShouldRetry(io, attempt, token) ? 1 : 0;
                retried += seeded.ShouldRetry(io, attempt, token) ? 1 : 0;
                retried += filtered.ShouldRetry(io, attempt, token) ? 1 : 0;
                retried += filtered.ShouldRetry(rejected, attempt, token) ? 1 : 0;
                retried += shared.ShouldRetry(permanent, attempt, token) ? 1 : 0;
                retried += shared.ShouldRetry(canceled, attempt, token) ? 1 : 0;
                retried += shared.ShouldRetryResult(attempt, token) ? 1 : 0;
                if (attempt <= 5)
                {
                    ticks += shared.Policy.GetDelay(attempt).Ticks + seeded.Policy.GetDelay(attempt).Ticks + filtered.Policy.GetDelay(attempt).Ticks;
                }
            }
        }

        Pass(); // warm-up
        long allocated = AllocationProbe.Least(Pass);

        Assert.Equal(0, allocated);
        Assert.True(ticks > 0);
        Assert.True(retried > 0);
    }

    [Fact]
    public void Constructor_checks_its_arguments()
    {
        Assert.Throws<ArgumentNullException>(() => new RetryStrategy(null!, new RetryOptions()));
        Assert.Throws<ArgumentException>(() => new RetryStrategy("", new RetryOptions()));
        Assert.Throws<ArgumentNullException>(() => new RetryStrategy("r", null!));
    }

    /// <summary>A fake clock that tells when a timer (the delay) has been created, so the test advances time after it.</summary>
    private sealed class SignallingTimeProvider : FakeTimeProvider
    {
        public ManualResetEventSlim TimerCreated { get; } = new();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            ITimer timer = base.CreateTimer(callback, state, dueTime, period);
            TimerCreated.Set();
            return timer;
        }
    }
}
