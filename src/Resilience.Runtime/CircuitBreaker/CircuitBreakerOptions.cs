namespace Resilience;

/// <summary>Settings of a <see cref="CircuitBreaker"/>. Read and validated once, when the breaker is created.</summary>
public sealed class CircuitBreakerOptions : IEquatable<CircuitBreakerOptions>
{
    /// <summary>Consecutive failures that open the circuit. Default 5. Used when no ratio and no <see cref="TripPolicy"/> is set.</summary>
    public int FailureThreshold { get; set; } = 5;

    /// <summary>Failure ratio in (0, 1] over <see cref="SamplingDuration"/> that opens the circuit; 0 (the default) disables it.</summary>
    public double FailureRatio { get; set; }

    /// <summary>Timeout ratio in (0, 1] over <see cref="SamplingDuration"/> that opens the circuit; 0 (the default) disables it.</summary>
    public double TimeoutRatio { get; set; }

    /// <summary>Calls in the sampling window before a ratio may open the circuit. Default 10.</summary>
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>The rolling window the counts cover. Default 30 seconds.</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open before admitting probes. Default 30 seconds.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Probe calls admitted at once while half-open. Default 1.</summary>
    public int HalfOpenMaxCalls { get; set; } = 1;

    /// <summary>Exception types (and subtypes) counted as failures; <see langword="null"/> (the default) counts every exception.</summary>
    public IReadOnlyList<Type>? Handle { get; set; }

    /// <summary>A custom trip policy; overrides <see cref="FailureThreshold"/>, <see cref="FailureRatio"/> and <see cref="TimeoutRatio"/>.</summary>
    public ITripPolicy? TripPolicy { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting to change when a value is invalid.</summary>
    public void Validate() => throw new NotImplementedException();

    /// <summary>Builds the trip policy these options describe.</summary>
    public ITripPolicy CreateTripPolicy() => throw new NotImplementedException();

    /// <inheritdoc />
    public bool Equals(CircuitBreakerOptions? other) => throw new NotImplementedException();

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CircuitBreakerOptions);

    /// <inheritdoc />
    public override int GetHashCode() => throw new NotImplementedException();
}
