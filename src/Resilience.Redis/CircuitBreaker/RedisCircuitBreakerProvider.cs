using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Resilience.Redis;

/// <summary>
/// Gives a breaker a <see cref="RedisCircuitBreakerCoordinator"/> when it is opted in: by configuration
/// (<c>Resilience:Instances:&lt;name&gt;:CircuitBreaker:Backend</c> = <c>Redis</c>), or in code
/// (<see cref="RedisCircuitBreakerBuilderExtensions.AddCircuitBreaker"/>) unless configuration says <c>Local</c>.
/// Owns the coordinators (they unsubscribe when the container is disposed).
/// </summary>
internal sealed class RedisCircuitBreakerProvider : ICircuitBreakerCoordinatorProvider, IDisposable
{
    private readonly RedisAvailability _availability;
    private readonly string _keyPrefix;
    private readonly IOptionsMonitor<RedisCircuitBreakerOptions> _options;
    private readonly IOptionsMonitor<RedisCircuitBreakerSelection> _selection;
    private readonly IConfiguration? _configuration;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly ConcurrentDictionary<string, RedisCircuitBreakerCoordinator> _coordinators = new(StringComparer.Ordinal);

    public RedisCircuitBreakerProvider(
        RedisAvailability availability,
        RedisConnection connection,
        IOptionsMonitor<RedisCircuitBreakerOptions> options,
        IOptionsMonitor<RedisCircuitBreakerSelection> selection,
        IConfiguration? configuration,
        ILoggerFactory? loggerFactory)
    {
        _availability = availability;
        _keyPrefix = connection.Options.KeyPrefix;
        _options = options;
        _selection = selection;
        _configuration = configuration;
        _loggerFactory = loggerFactory;
    }

    /// <summary>This process's id in the messages (so it ignores its own).</summary>
    public string InstanceId { get; } = $"{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>The coordinator of <paramref name="name"/>, once its breaker was created.</summary>
    public bool TryGetCoordinator(string name, out RedisCircuitBreakerCoordinator coordinator) => _coordinators.TryGetValue(name, out coordinator!);

    public CircuitBreakerCoordinator? CreateCoordinator(string name, CircuitBreakerOptions options, bool isKeyed)
    {
        IConfigurationSection? section = _configuration?.GetSection($"{ResilienceOptions.SectionName}:Instances:{name}:CircuitBreaker");
        string? backend = section?["Backend"];
        bool onRedis = backend switch
        {
            null or "" => _selection.CurrentValue.Names.Contains(name),
            _ when backend.Equals("Redis", StringComparison.OrdinalIgnoreCase) => true,
            _ when backend.Equals("Local", StringComparison.OrdinalIgnoreCase) => false,
            _ => throw new InvalidOperationException($"{section!.Path}:Backend: '{backend}' is not a circuit-breaker backend; use Redis or Local."),
        };

        if (!onRedis)
        {
            return null;
        }

        HashSet<string> sharedKeys = new(_options.Get(name).SharedKeys, StringComparer.Ordinal);
        if (section?.GetSection("SharedKeys") is { } configured && configured.Exists())
        {
            sharedKeys.Clear();
            if (configured.Value is { } list)
            {
                sharedKeys.UnionWith(list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }

            foreach (IConfigurationSection item in configured.GetChildren())
            {
                if (!string.IsNullOrWhiteSpace(item.Value))
                {
                    sharedKeys.Add(item.Value.Trim());
                }
            }
        }

        if (isKeyed && sharedKeys.Count == 0)
        {
            return null; // a keyed breaker shares only the keys named
        }

        var coordinator = new RedisCircuitBreakerCoordinator(
            _availability, _keyPrefix, name, isKeyed ? sharedKeys : null, InstanceId, _loggerFactory);
        if (_coordinators.TryAdd(name, coordinator))
        {
            return coordinator;
        }

        coordinator.Dispose();
        return _coordinators[name];
    }

    public void Dispose()
    {
        foreach (RedisCircuitBreakerCoordinator coordinator in _coordinators.Values)
        {
            coordinator.Dispose();
        }
    }
}
