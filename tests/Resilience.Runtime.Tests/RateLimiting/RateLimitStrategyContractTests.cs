using Microsoft.Extensions.Time.Testing;
using Resilience.Runtime.Tests.Telemetry;

namespace Resilience.Runtime.Tests.RateLimiting;

/// <summary>
/// What <see cref="RateLimitStrategy"/> and <see cref="KeyedRateLimitStrategy{TKey}"/> promise at their edges: argument
/// errors that name the argument and say what to change, reloads validated before anything changes, rejections and
/// reservations reported with their tags, and no continuation resumed on the caller's
/// <see cref="SynchronizationContext"/> (which deadlocks a caller that blocks). Written for mutation survivors
/// (docs/testing.md, sixth pass).
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class RateLimitStrategyContractTests
{
    private static readonly RateLimitOptions Two = new() { PermitLimit = 2, Window = TimeSpan.FromSeconds(1) };
    private static readonly RateLimitOptions OneQueued = new() { PermitLimit = 1, Window = TimeSpan.FromSeconds(1), QueueLimit = 1 };
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Reserve_errors_name_the_argument_and_the_allowed_range()
    {
        using var limit = new RateLimitStrategy("api", Two, _time);
        using var keyed = new KeyedRateLimitStrategy<string>("tenants", Two, _time);

        var permits = Assert.Throws<ArgumentOutOfRangeException>(() => limit.Reserve(3, TimeSpan.Zero));
        Assert.Equal("permits", permits.ParamName);
        Assert.StartsWith("permits must be from 1 to PermitLimit (2); got 3.", permits.Message, StringComparison.Ordinal);
        var delay = Assert.Throws<ArgumentOutOfRangeException>(() => limit.Reserve(1, TimeSpan.FromTicks(-1)));
        Assert.Equal("maxDelay", delay.ParamName);
        Assert.StartsWith("maxDelay must be zero or more; got -00:00:00.0000001.", delay.Message, StringComparison.Ordinal);

        var keyedPermits = Assert.Throws<ArgumentOutOfRangeException>(() => keyed.Reserve("a", 0, TimeSpan.Zero));
        Assert.Equal("permits", keyedPermits.ParamName);
        Assert.StartsWith("permits must be from 1 to PermitLimit (2); got 0.", keyedPermits.Message, StringComparison.Ordinal);
        var keyedDelay = Assert.Throws<ArgumentOutOfRangeException>(() => keyed.Reserve("a", 1, TimeSpan.FromTicks(-1)));
        Assert.Equal("maxDelay", keyedDelay.ParamName);
        Assert.StartsWith("maxDelay must be zero or more; got -00:00:00.0000001.", keyedDelay.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disposed_limit_says_which_limit_was_disposed()
    {
        var limit = new RateLimitStrategy("api", Two, _time);
        limit.Dispose();

        var reserve = Assert.Throws<ObjectDisposedException>(() => limit.Reserve(1, TimeSpan.Zero));
        Assert.Equal("api", reserve.ObjectName);
        Assert.Contains("Rate limit 'api' was disposed.", reserve.Message, StringComparison.Ordinal);
        var admitted = Assert.IsType<ObjectDisposedException>(await limit.AdmitAsync(CancellationToken.None));
        Assert.Contains("Rate limit 'api' was disposed.", admitted.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_keyed_constructor_names_its_null_argument()
    {
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => new KeyedRateLimitStrategy<string>(null!, Two, _time)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new KeyedRateLimitStrategy<string>("k", null!, _time)).ParamName);
    }

    [Fact]
    public void A_reload_with_no_or_invalid_options_throws_and_keeps_the_limit()
    {
        using var limit = new RateLimitStrategy("api", Two, _time);
        using var keyed = new KeyedRateLimitStrategy<string>("tenants", Two, _time);
        var invalid = new RateLimitOptions { PermitLimit = 0, Window = TimeSpan.FromSeconds(1) };

        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => limit.Reconfigure(null!)).ParamName);
        Assert.ThrowsAny<ArgumentException>(() => limit.Reconfigure(invalid));
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => ((IKeyedRateLimit)keyed).Reconfigure(null!)).ParamName);
        Assert.ThrowsAny<ArgumentException>(() => ((IKeyedRateLimit)keyed).Reconfigure(invalid));

        Assert.True(limit.TryAcquire() && limit.TryAcquire());
        Assert.False(limit.TryAcquire());
        Assert.True(keyed.TryAcquire("a") && keyed.TryAcquire("a"));
        Assert.False(keyed.TryAcquire("a"));
    }

    [Fact]
    public async Task Rejections_and_keyed_reservations_are_reported_with_the_rate_limit_strategy_tag()
    {
        using var registry = new ResilienceRegistry(_time);
        using var metrics = new MetricCollector(registry, "resilience.rejections", "resilience.rate_limit.reservations");
        RateLimitStrategy limit = registry.GetOrAddRateLimit("api", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(1) });
        KeyedRateLimitStrategy<string> keyed = registry.GetOrAddKeyedRateLimit<string>("tenants", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(1) });

        Assert.Null(await limit.AdmitAsync(CancellationToken.None));
        Assert.IsType<RateLimitRejectedException>(await limit.AdmitAsync(CancellationToken.None));
        Assert.True(keyed.Reserve("a", 1, TimeSpan.Zero).IsAcquired);
        Assert.False(keyed.Reserve("a", 1, TimeSpan.Zero).IsAcquired);

        Recorded rejection = Assert.Single(metrics.Of("resilience.rejections"));
        Assert.Equal(("api", "rate_limit"), (rejection.Tag("resilience.instance"), rejection.Tag("resilience.strategy")));
        Assert.Equal(
            ["tenants:immediate", "tenants:refused"],
            metrics.Of("resilience.rate_limit.reservations").Select(r => $"{r.Tag("resilience.instance")}:{r.Tag("resilience.rate_limit.reservation")}"));
    }

    [Fact]
    public async Task A_queued_admission_never_resumes_on_the_callers_synchronization_context()
    {
        using var limit = new RateLimitStrategy("api", OneQueued, _time);
        using var keyed = new KeyedRateLimitStrategy<string>("tenants", OneQueued, _time);

        await QueuedAdmissionContext.AssertQueuedAdmissionsNeverResumeOnIt(limit, keyed, _time);
    }

    [Fact]
    public async Task A_queued_throwing_acquire_never_resumes_on_the_callers_synchronization_context()
    {
        using var limit = new RateLimitStrategy("api", OneQueued, _time);
        Assert.True(limit.TryAcquire());
        var context = new RecordingSynchronizationContext();

        ValueTask acquired = context.Run(() => limit.AcquireAsync(CancellationToken.None));
        Assert.False(acquired.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));

        await acquired.AsTask().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        Assert.Equal(0, context.Posts);
    }
}
