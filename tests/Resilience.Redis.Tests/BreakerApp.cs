using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Redis.Tests;

public interface IPayments
{
    [CircuitBreaker(Name = BreakerApp.Name, FailureThreshold = 2, BreakDurationMs = 30_000, HalfOpenMaxCalls = 1)]
    Task<string> PayAsync(string order, CancellationToken cancellationToken);
}

public interface IHosts
{
    [CircuitBreaker(Name = BreakerApp.KeyedName, FailureThreshold = 2, BreakDurationMs = 30_000, KeyParameter = "host")]
    Task<string> GetAsync(string host, CancellationToken cancellationToken);
}

/// <summary>Fails while <see cref="Down"/>; otherwise answers after <see cref="Hold"/>.</summary>
public sealed class Downstream : IPayments, IHosts
{
    private int _calls;

    public volatile bool Down;

    public TimeSpan Hold { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    public Task<string> PayAsync(string order, CancellationToken cancellationToken) => AnswerAsync(order);

    public Task<string> GetAsync(string host, CancellationToken cancellationToken) => AnswerAsync(host);

    private async Task<string> AnswerAsync(string value)
    {
        Interlocked.Increment(ref _calls);
        if (Hold > TimeSpan.Zero)
        {
            await Task.Delay(Hold);
        }

        return Down ? throw new HttpRequestException("downstream is down") : value;
    }
}

/// <summary>One process's application: the breakers on Redis (by configuration, or in code), over a real server.</summary>
internal static class BreakerApp
{
    public const string Name = "payments";
    public const string KeyedName = "hosts";

    /// <summary>
    /// The operation timeout of the cross-process tests: a script slower than the timeout sends the call to the local
    /// breaker alone (by design), which those tests must not mistake for the shared behaviour on a busy machine.
    /// </summary>
    public static readonly TimeSpan SlowMachine = TimeSpan.FromSeconds(2);

    public static ServiceProvider Build(
        string redis,
        Downstream downstream,
        int breakMs = 30_000,
        Action<IResilienceRedisBuilder>? inCode = null,
        Dictionary<string, string?>? settings = null,
        TimeSpan? operationTimeout = null)
    {
        var values = new Dictionary<string, string?>
        {
            [$"Resilience:Instances:{Name}:CircuitBreaker:BreakDuration"] = TimeSpan.FromMilliseconds(breakMs).ToString("c"),
        };
        if (inCode is null)
        {
            values[$"Resilience:Instances:{Name}:CircuitBreaker:Backend"] = "Redis";
        }

        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddSingleton(downstream);
        services.AddResilienceConfiguration(configuration.GetSection("Resilience"));
        var redisBuilder = services.AddResilienceRedis(o =>
        {
            o.Configuration = redis;
            o.OperationTimeout = operationTimeout ?? o.OperationTimeout;
        });
        inCode?.Invoke(redisBuilder);
        services.AddResilient<IPayments, Downstream>(ServiceLifetime.Singleton);
        services.AddResilient<IHosts, Downstream>(ServiceLifetime.Singleton);
        return services.BuildServiceProvider();
    }

    /// <summary>The coordinator of <paramref name="name"/> (its breaker is created with the decorator).</summary>
    public static RedisCircuitBreakerCoordinator Coordinator(IServiceProvider provider, string name = Name)
    {
        _ = name == Name ? provider.GetRequiredService<IPayments>() : (object)provider.GetRequiredService<IHosts>();
        var redis = provider.GetServices<ICircuitBreakerCoordinatorProvider>().OfType<RedisCircuitBreakerProvider>().Single();
        Assert.True(redis.TryGetCoordinator(name, out var coordinator), $"{name} is not on Redis");
        return coordinator;
    }

    /// <summary>Resolves the decorator and waits (bounded) until its breaker's channel is subscribed.</summary>
    public static async Task<CircuitBreaker> ReadyAsync(IServiceProvider provider)
    {
        await Coordinator(provider).Subscribed.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(provider.GetRequiredService<ResilienceRegistry>().TryGetCircuitBreaker(Name, out var breaker));
        return breaker;
    }

    /// <summary>Fails calls until the breaker opens.</summary>
    public static async Task TripAsync(IServiceProvider provider, Downstream downstream)
    {
        downstream.Down = true;
        var payments = provider.GetRequiredService<IPayments>();
        for (int i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => payments.PayAsync("o", CancellationToken.None));
        }

        downstream.Down = false;
    }

    /// <summary>Polls (bounded) until <paramref name="condition"/> holds.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(5);
        }

        return true;
    }
}
