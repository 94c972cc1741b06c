using Microsoft.Extensions.Time.Testing;
using Resilience;

namespace Resilience.Runtime.Tests.Caching;

public sealed class CacheFallbackStrategyTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StaleTtl = TimeSpan.FromSeconds(50);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Store_records_the_times_from_the_clock()
    {
        var store = new InMemoryCacheFallbackStore(10, _time);
        var strategy = Create(store);
        DateTimeOffset now = _time.GetUtcNow();

        strategy.Store("k", 42);

        Assert.True(store.TryGet("k", out CacheFallbackEntry entry));
        Assert.Equal(new CacheFallbackEntry(42, now, now + Ttl, now + Ttl + StaleTtl), entry);
    }

    [Fact]
    public void A_result_is_fresh_until_exactly_the_ttl()
    {
        var strategy = Create();
        strategy.Store("k", 42);

        _time.Advance(Ttl - TimeSpan.FromTicks(1));
        Assert.True(strategy.TryGetFresh("k", out int fresh));
        Assert.Equal(42, fresh);

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.False(strategy.TryGetFresh("k", out int none));
        Assert.Equal(0, none);
    }

    [Fact]
    public void A_result_answers_failures_until_exactly_ttl_plus_stale_ttl()
    {
        var strategy = Create();
        strategy.Store("k", 42);
        var failure = new InvalidOperationException("down");

        _time.Advance(Ttl + StaleTtl - TimeSpan.FromTicks(1));
        Assert.True(strategy.TryGetStale("k", failure, CancellationToken.None, out int stale));
        Assert.Equal(42, stale);

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.False(strategy.TryGetStale("k", failure, CancellationToken.None, out int _));
    }

    [Fact]
    public void With_zero_ttl_a_result_is_never_fresh_but_answers_failures()
    {
        var strategy = Create(options: new CacheFallbackOptions { Ttl = TimeSpan.Zero, StaleTtl = StaleTtl });
        strategy.Store("k", "value");

        Assert.False(strategy.TryGetFresh("k", out string? _));
        Assert.True(strategy.TryGetStale("k", new TimeoutException(), CancellationToken.None, out string? stale));
        Assert.Equal("value", stale);
    }

    [Fact]
    public void Serving_a_stale_result_raises_StaleResultServed_with_key_failure_and_age()
    {
        var strategy = Create();
        var raised = new List<StaleResultServedEventArgs>();
        strategy.StaleResultServed += (sender, args) =>
        {
            Assert.Same(strategy, sender);
            raised.Add(args);
        };
        strategy.Store("k", 42);
        _time.Advance(TimeSpan.FromSeconds(30));
        var failure = new HttpRequestException("503");

        Assert.True(strategy.TryGetStale("k", failure, CancellationToken.None, out int _));

        StaleResultServedEventArgs args = Assert.Single(raised);
        Assert.Equal("k", args.Key);
        Assert.Same(failure, args.Exception);
        Assert.Equal(TimeSpan.FromSeconds(30), args.Age);
        Assert.False(strategy.TryGetFresh("k", out int _)); // a miss raises nothing
        Assert.Single(raised);
    }

    [Fact]
    public void The_callers_own_cancellation_is_never_answered_but_a_timeout_cancellation_is()
    {
        var strategy = Create();
        int raised = 0;
        strategy.StaleResultServed += (_, _) => raised++;
        strategy.Store("k", 42);
        using var caller = new CancellationTokenSource();
        caller.Cancel();

        Assert.False(strategy.TryGetStale("k", new OperationCanceledException(caller.Token), caller.Token, out int _));
        Assert.Equal(0, raised);

        // Not the caller's cancellation: the caller's token is not cancelled (e.g. an inner timeout fired).
        Assert.True(strategy.TryGetStale("k", new OperationCanceledException(), CancellationToken.None, out int stale));
        Assert.Equal(42, stale);
        Assert.Equal(1, raised);
    }

    [Fact]
    public void An_entry_of_another_type_is_ignored_and_a_stored_null_answers_nullable_types()
    {
        var strategy = Create();
        strategy.Store("k", "text");
        strategy.Store<string?>("null", null);

        Assert.False(strategy.TryGetFresh("k", out int _));
        Assert.False(strategy.TryGetStale("k", new InvalidOperationException(), CancellationToken.None, out int _));
        Assert.True(strategy.TryGetFresh("null", out string? nullString));
        Assert.Null(nullString);
        Assert.True(strategy.TryGetFresh("null", out int? nullInt));
        Assert.Null(nullInt);
        Assert.False(strategy.TryGetFresh("null", out int _));
    }

    [Fact]
    public void Constructor_validates_the_options()
    {
        var options = new CacheFallbackOptions { Ttl = TimeSpan.FromSeconds(-1) };

        Assert.Throws<ArgumentOutOfRangeException>(() => new CacheFallbackStrategy("c", options, new InMemoryCacheFallbackStore(), _time));
    }

    private CacheFallbackStrategy Create(ICacheFallbackStore? store = null, CacheFallbackOptions? options = null)
        => new(
            "test",
            options ?? new CacheFallbackOptions { Ttl = Ttl, StaleTtl = StaleTtl },
            store ?? new InMemoryCacheFallbackStore(100, _time),
            _time);
}
