using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Timeout;

/// <summary>
/// The owner of a use arms and ends it with plain stores; the timer, expiring it at the same moment, publishes what it
/// is about to expire and issues a process-wide barrier first. These tests race the two on purpose, and check what a
/// lost race would break: a source cancelled by its timer must never go back to the pool, so no use ever starts with a
/// cancelled token, and no use is cancelled before its limit.
/// </summary>
[Collection(StressCollection.Name)]
public sealed class TimeoutHandshakeStressTests
{
    private static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(30);

    /// <summary>
    /// One thread advances a test clock by exactly the limit (the timer expires the use) while the test thread ends the
    /// same use. Over the run the end sweeps across the timer's whole decision (barrier, read, compare-exchange).
    /// </summary>
    [Fact]
    public void Ending_a_use_while_the_timer_expires_it_never_pools_a_cancelled_source()
    {
        var limit = TimeSpan.FromMilliseconds(10);
        var clock = new FakeTimeProvider();
        var timeout = new TimeoutStrategy("disarm-handshake", limit, clock);

        int expired = 0;
        int reused = 0;
        TimeoutScope scope = default;
        CancellationToken previousToken = default;
        RaceRounds(
            timerSide: () => clock.Advance(limit),
            before: round =>
            {
                scope = timeout.Start(CancellationToken.None);
                Assert.False(scope.Token.IsCancellationRequested, $"round {round}: a use started with a cancelled token (a source cancelled by its timer went back to the pool)");
                reused += scope.Token == previousToken ? 1 : 0;
                previousToken = scope.Token;
            },
            ownerSide: () => scope.Dispose(),
            after: _ =>
            {
                bool timerFirst = previousToken.IsCancellationRequested;
                expired += timerFirst ? 1 : 0;
                return !timerFirst;
            });

        // Both outcomes happened many times, so the two sides did meet in the middle.
        Assert.True(expired > Rounds / 100, $"the timer expired only {expired} of {Rounds} uses");
        Assert.True(reused > Rounds / 100, $"only {reused} of {Rounds} uses reused the previous source");
    }

    /// <summary>
    /// The test thread starts a use on a pooled source while another thread advances the clock to the deadline of the
    /// source's previous use: the timer wakes up for a use that has ended and goes quiet unless it sees the new one, and
    /// the new use sets the timer itself unless the timer saw it. Either way the new use must expire at its limit.
    /// </summary>
    [Fact]
    public void Starting_a_use_while_the_timer_goes_quiet_never_leaves_the_use_without_a_timer()
    {
        var limit = TimeSpan.FromMilliseconds(10);
        var clock = new FakeTimeProvider();
        var timeout = new TimeoutStrategy("arm-handshake", limit, clock);

        int expiredEarly = 0;
        int expiredLater = 0;
        TimeoutScope scope = default;
        RaceRounds(
            timerSide: () => clock.Advance(limit),
            before: _ => timeout.Start(CancellationToken.None).Dispose(), // back to the pool, its timer due in one limit
            ownerSide: () => scope = timeout.Start(CancellationToken.None),
            after: round =>
            {
                // The new use started no later than the advance ended, so one more limit passes its deadline.
                bool already = scope.Token.IsCancellationRequested;
                clock.Advance(limit);
                Assert.True(scope.Token.IsCancellationRequested, $"round {round}: the use was not cancelled one limit after it started (no timer was set for it)");
                Assert.True(scope.IsExpired);
                expiredEarly += already ? 1 : 0;
                expiredLater += already ? 0 : 1;
                scope.Dispose();
                return already; // the use was armed before the advance looked at the source
            });

        // The advance expired the new use itself when it started before the advance read the clock, and it did not
        // otherwise: both happened many times.
        Assert.True(expiredEarly > Rounds / 100, $"the advance expired only {expiredEarly} of {Rounds} new uses");
        Assert.True(expiredLater > Rounds / 100, $"only {expiredLater} of {Rounds} new uses expired at the later advance");
    }

    /// <summary>
    /// Several workers on the system clock, each holding uses for a random time around the limit (ended by a spin on
    /// <see cref="Stopwatch"/>, so many end just as the timer fires). A use is never cancelled before its limit (not even
    /// at its start, which a pooled cancelled source would be), and reports <see cref="TimeoutScope.IsExpired"/> exactly
    /// when its token was cancelled; every few uses one waits for its timer, which must come.
    /// </summary>
    [Fact]
    public async Task Uses_ending_around_their_deadline_on_the_system_clock_keep_the_timeout_exact()
    {
        const int Workers = 4;
        const int UsesPerWorker = 400;
        var limit = TimeSpan.FromMilliseconds(1);
        var timeout = new TimeoutStrategy("system-handshake", limit);

        Task<(int Expired, int Held)>[] workers = new Task<(int, int)>[Workers];
        for (int w = 0; w < Workers; w++)
        {
            int seed = 160 + w;
            workers[w] = Task.Factory.StartNew(
                () => RunWorker(timeout, limit, new Random(seed), UsesPerWorker),
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }

        (int Expired, int Held)[] results = await Task.WhenAll(workers).WaitAsync(SafetyNet);
        Assert.True(results.Sum(r => r.Expired) > 0, "no use ended by its timer: the race was never run");
        Assert.True(results.Sum(r => r.Held) > 0);
    }

    private static (int Expired, int Held) RunWorker(TimeoutStrategy timeout, TimeSpan limit, Random random, int uses)
    {
        int expired = 0;
        int held = 0;
        for (int use = 0; use < uses; use++)
        {
            long started = Stopwatch.GetTimestamp();
            TimeoutScope scope = timeout.Start(CancellationToken.None);
            CancellationToken token = scope.Token;

            // Only a thread stalled past the limit inside Start (two cores, more threads) may see its use already
            // expired; a source cancelled by its timer and pooled again would show up here well within the limit.
            if (token.IsCancellationRequested)
            {
                TimeSpan beforeCheck = Stopwatch.GetElapsedTime(started);
                Assert.True(beforeCheck >= limit, $"use {use} started with a cancelled token, {beforeCheck.TotalMilliseconds} ms after Start was called");
            }

            if (use % 25 == 24)
            {
                // Held until the timer fires: it must, however the earlier uses ended.
                Assert.True(token.WaitHandle.WaitOne(SafetyNet), $"use {use}: the timer never fired");
                held++;
            }
            else
            {
                // End somewhere between half the limit and twice the limit; timers on the system clock fire late, so
                // most end before the timer and some just as it fires.
                TimeSpan hold = limit * (0.5 + (random.NextDouble() * 1.5));
                while (Stopwatch.GetElapsedTime(started) < hold && !token.IsCancellationRequested)
                {
                    Thread.SpinWait(20);
                }
            }

            bool cancelled = token.IsCancellationRequested;
            bool isExpired = scope.IsExpired;
            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            scope.Dispose();

            // Read before Dispose: a cancelled token means the timer expired this use, and only after its limit.
            if (cancelled)
            {
                Assert.True(isExpired, $"use {use}: the token was cancelled but the scope does not report expiry");
                Assert.True(elapsed >= limit, $"use {use}: cancelled after {elapsed.TotalMilliseconds} ms, before the limit");
                expired++;
            }
        }

        return (expired, held);
    }

    private const int Rounds = 20_000;

    /// <summary>
    /// Runs <see cref="Rounds"/> rounds. In each, <paramref name="before"/> runs on the test thread, then the test thread
    /// and a second thread are released together by a spin barrier: the second runs <paramref name="timerSide"/>, the
    /// test thread waits a random number of spins (fixed seed) and runs <paramref name="ownerSide"/>, so that over the
    /// run its action lands before, inside and after the other's. <paramref name="after"/> runs once both are done and
    /// says whether the owner's action came first; the range of the wait follows that answer (longer after the owner
    /// came first, shorter after it came second), so the sweep stays centred on the race on a fast or a loaded machine.
    /// </summary>
    private static void RaceRounds(Action timerSide, Action<long> before, Action ownerSide, Func<long, bool> after)
    {
        var random = new Random(16);
        double center = 500; // spins
        long go = 0; // round r is released when both threads have added 1 for it: go == 2 * r
        long done = 0;
        int stop = 0;
        Exception? failure = null;
        var other = new Thread(() =>
        {
            try
            {
                for (long round = 1; round <= Rounds; round++)
                {
                    Interlocked.Increment(ref go);
                    if (!SpinUntil(ref go, 2 * round, ref stop))
                    {
                        return; // the test thread failed and stopped
                    }

                    timerSide();
                    Volatile.Write(ref done, round);
                }
            }
            catch (Exception ex)
            {
                failure = ex;
                Volatile.Write(ref done, long.MaxValue);
            }
        })
        { IsBackground = true, Name = "timer side" };
        other.Start();

        bool completed = false;
        try
        {
            for (long round = 1; round <= Rounds; round++)
            {
                before(round);
                int spins = random.Next(0, (int)(2 * center) + 1);
                Interlocked.Increment(ref go);
                SpinUntil(ref go, 2 * round, ref stop);
                Thread.SpinWait(spins);
                ownerSide();
                SpinUntil(ref done, round, ref stop);
                Assert.Null(failure);
                center = after(round) ? Math.Min(center * 1.02, 1_000_000) : Math.Max(center / 1.02, 1);
            }

            completed = true;
        }
        finally
        {
            Volatile.Write(ref stop, 1); // releases the other thread if this one failed mid-run
            bool joined = other.Join(SafetyNet);
            if (completed)
            {
                Assert.True(joined, "the timer-side thread did not end");
            }
        }
    }

    /// <summary>Spins until <paramref name="value"/> reaches <paramref name="target"/>; <see langword="false"/> when stopped first.</summary>
    private static bool SpinUntil(ref long value, long target, ref int stop)
    {
        var spinner = default(SpinWait);
        while (Volatile.Read(ref value) < target)
        {
            if (Volatile.Read(ref stop) != 0)
            {
                return false;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }

        return true;
    }
}
