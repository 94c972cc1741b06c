using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface ITenantService
{
    [RateLimit(PermitLimit = 2, WindowMs = 1_000, Algorithm = RateLimitAlgorithm.FixedWindow, KeyParameter = "tenant")]
    Task<string> GetAsync(string tenant, string item, CancellationToken cancellationToken);

    [RateLimit(PermitLimit = 2, WindowMs = 1_000, KeyParameter = "tenantId")]
    ValueTask<int> CountAsync(int tenantId, CancellationToken cancellationToken);
}

public sealed class TenantService : ITenantService
{
    public AttemptLog Log { get; } = new();

    public Task<string> GetAsync(string tenant, string item, CancellationToken cancellationToken)
    {
        Log.Record(cancellationToken);
        return Task.FromResult($"{tenant}/{item}");
    }

    public ValueTask<int> CountAsync(int tenantId, CancellationToken cancellationToken)
    {
        Log.Record(cancellationToken);
        return new ValueTask<int>(tenantId);
    }
}

public sealed class RateLimitTests : IDisposable
{
    private readonly Clock _clock = new();
    private readonly TenantService _inner = new();
    private readonly TenantServiceResilient _proxy;

    public RateLimitTests() => _proxy = new TenantServiceResilient(_inner, _clock.Registry);

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task Tenant_A_is_exhausted_while_tenant_B_passes_and_fake_time_refills_A()
    {
        Assert.Equal("A/1", await Clock.Finish(_proxy.GetAsync("A", "1", CancellationToken.None)));
        Assert.Equal("A/2", await Clock.Finish(_proxy.GetAsync("A", "2", CancellationToken.None)));
        var rejected = await Assert.ThrowsAsync<RateLimitRejectedException>(() => Clock.Finish(_proxy.GetAsync("A", "3", CancellationToken.None)));
        Assert.Equal("Resilience.EndToEnd.Tests.ITenantService.GetAsync", rejected.InstanceName);

        Assert.Equal("B/1", await Clock.Finish(_proxy.GetAsync("B", "1", CancellationToken.None)));
        Assert.Equal("B/2", await Clock.Finish(_proxy.GetAsync("B", "2", CancellationToken.None)));
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => Clock.Finish(_proxy.GetAsync("B", "3", CancellationToken.None)));
        Assert.Equal(4, _inner.Log.Count);

        _clock.Advance(999);
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => Clock.Finish(_proxy.GetAsync("A", "4", CancellationToken.None)));
        _clock.Advance(1);
        Assert.Equal("A/5", await Clock.Finish(_proxy.GetAsync("A", "5", CancellationToken.None)));
        Assert.Equal("A/6", await Clock.Finish(_proxy.GetAsync("A", "6", CancellationToken.None)));
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => Clock.Finish(_proxy.GetAsync("A", "7", CancellationToken.None)));
        Assert.Equal(6, _inner.Log.Count);
    }

    [Fact]
    public async Task A_token_bucket_partition_refills_one_permit_every_window_over_limit()
    {
        Assert.Equal(7, await Clock.Finish(_proxy.CountAsync(7, CancellationToken.None).AsTask()));
        Assert.Equal(7, await Clock.Finish(_proxy.CountAsync(7, CancellationToken.None).AsTask()));
        var rejected = await Assert.ThrowsAsync<RateLimitRejectedException>(() => Clock.Finish(_proxy.CountAsync(7, CancellationToken.None).AsTask()));
        Assert.NotNull(rejected.RetryAfter);
        Assert.InRange(rejected.RetryAfter!.Value, TimeSpan.FromTicks(1), TimeSpan.FromMilliseconds(500));

        Assert.Equal(8, await Clock.Finish(_proxy.CountAsync(8, CancellationToken.None).AsTask()));

        _clock.Advance(499);
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => Clock.Finish(_proxy.CountAsync(7, CancellationToken.None).AsTask()));
        _clock.Advance(1);
        Assert.Equal(7, await Clock.Finish(_proxy.CountAsync(7, CancellationToken.None).AsTask()));
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => Clock.Finish(_proxy.CountAsync(7, CancellationToken.None).AsTask()));
        Assert.Equal(4, _inner.Log.Count);
    }
}
