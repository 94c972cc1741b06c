using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Resilience.Redis;

/// <summary>
/// Reads <see cref="RedisResilienceOptions"/> from the container's <see cref="IConfiguration"/>, section
/// <c>Resilience:Redis</c>, when there is one (by hand: four keys, no reflection). A value that does not parse throws,
/// naming its path.
/// </summary>
internal sealed class RedisResilienceOptionsReader(IServiceProvider services) : IConfigureOptions<RedisResilienceOptions>
{
    public void Configure(RedisResilienceOptions options)
    {
        if (services.GetService(typeof(IConfiguration)) is not IConfiguration configuration)
        {
            return;
        }

        IConfigurationSection section = configuration.GetSection(RedisResilienceOptions.SectionName);
        if (section[nameof(RedisResilienceOptions.Configuration)] is { Length: > 0 } connection)
        {
            options.Configuration = connection;
        }

        if (section[nameof(RedisResilienceOptions.KeyPrefix)] is { } prefix)
        {
            options.KeyPrefix = prefix;
        }

        options.OperationTimeout = ReadTimeSpan(section, nameof(RedisResilienceOptions.OperationTimeout)) ?? options.OperationTimeout;
        options.AvailabilityProbeInterval = ReadTimeSpan(section, nameof(RedisResilienceOptions.AvailabilityProbeInterval)) ?? options.AvailabilityProbeInterval;
    }

    private static TimeSpan? ReadTimeSpan(IConfigurationSection section, string key)
    {
        if (section[key] is not { Length: > 0 } text)
        {
            return null;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan value)
            ? value
            : throw new InvalidOperationException($"{section.Path}:{key}: '{text}' is not a time span (e.g. 00:00:00.250).");
    }
}
