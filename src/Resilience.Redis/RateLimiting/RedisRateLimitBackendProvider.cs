using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Resilience.Redis;

/// <summary>
/// Gives a rate limit a <see cref="RedisRateLimitBackend"/> when it is opted in: by configuration
/// (<c>Resilience:Instances:&lt;name&gt;:RateLimit:Backend</c> = <c>Redis</c>), or in code
/// (<see cref="RedisRateLimitBuilderExtensions.AddRateLimit"/>) unless configuration says <c>Local</c>.
/// </summary>
internal sealed class RedisRateLimitBackendProvider : IRateLimitBackendProvider
{
    private readonly RedisAvailability _availability;
    private readonly RedisResilienceOptions _redisOptions;
    private readonly IOptionsMonitor<RedisRateLimitOptions> _options;
    private readonly IOptionsMonitor<RedisRateLimitSelection> _selection;
    private readonly IConfiguration? _configuration;
    private readonly TimeProvider _timeProvider;

    public RedisRateLimitBackendProvider(
        RedisAvailability availability,
        RedisConnection connection,
        IOptionsMonitor<RedisRateLimitOptions> options,
        IOptionsMonitor<RedisRateLimitSelection> selection,
        IConfiguration? configuration,
        TimeProvider? timeProvider)
    {
        _availability = availability;
        _redisOptions = connection.Options;
        _options = options;
        _selection = selection;
        _configuration = configuration;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public IRateLimitBackend? CreateBackend(string name, RateLimitOptions options, bool isKeyed)
    {
        IConfigurationSection? section = _configuration?.GetSection($"{ResilienceOptions.SectionName}:Instances:{name}:RateLimit");
        string? backend = section?["Backend"];
        bool onRedis = backend switch
        {
            null or "" => _selection.CurrentValue.Names.Contains(name),
            _ when backend.Equals("Redis", StringComparison.OrdinalIgnoreCase) => true,
            _ when backend.Equals("Local", StringComparison.OrdinalIgnoreCase) => false,
            _ => throw new InvalidOperationException(
                $"{section!.Path}:Backend: '{backend}' is not a rate-limit backend; use Redis or Local."),
        };

        if (!onRedis)
        {
            return null;
        }

        if (!RedisRateLimitBackend.Supports(options.Algorithm))
        {
            throw new InvalidOperationException($"Rate limit '{name}' is opted into Redis: {RedisRateLimitBackend.UnsupportedAlgorithm(options.Algorithm)}");
        }

        int leasePermits = _options.Get(name).LeasePermits;
        if (section?["LeasePermits"] is { Length: > 0 } configured)
        {
            if (!int.TryParse(configured, NumberStyles.Integer, CultureInfo.InvariantCulture, out leasePermits))
            {
                throw new InvalidOperationException($"{section.Path}:LeasePermits: '{configured}' is not a whole number.");
            }
        }

        try
        {
            return new RedisRateLimitBackend(_availability, _redisOptions.KeyPrefix, name, options, leasePermits, _timeProvider);
        }
        catch (ArgumentOutOfRangeException exception)
        {
            throw new InvalidOperationException(
                $"{ResilienceOptions.SectionName}:Instances:{name}:RateLimit:LeasePermits: {exception.Message.Split(Environment.NewLine)[0]}", exception);
        }
    }
}
