using System.Globalization;

namespace Resilience;

/// <summary>Settings of a <see cref="CircuitBreaker"/>. Read and validated once, when the breaker is created.</summary>
public sealed class CircuitBreakerOptions : IEquatable<CircuitBreakerOptions>
{
    /// <summary>Consecutive failures that open the circuit. Default 5. Used when no ratio and no <see cref="TripPolicy"/> is set.</summary>
    public int FailureThreshold { get; set; } = CircuitBreakerDefaults.FailureThreshold;

    /// <summary>Failure ratio in (0, 1] over <see cref="SamplingDuration"/> that opens the circuit; 0 (the default) disables it.</summary>
    public double FailureRatio { get; set; } = CircuitBreakerDefaults.FailureRatio;

    /// <summary>Timeout ratio in (0, 1] over <see cref="SamplingDuration"/> that opens the circuit; 0 (the default) disables it.</summary>
    public double TimeoutRatio { get; set; } = CircuitBreakerDefaults.TimeoutRatio;

    /// <summary>Calls in the sampling window before a ratio may open the circuit. Default 10.</summary>
    public int MinimumThroughput { get; set; } = CircuitBreakerDefaults.MinimumThroughput;

    /// <summary>The rolling window the counts cover. Default 30 seconds.</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromMilliseconds(CircuitBreakerDefaults.SamplingDurationMs);

    /// <summary>How long the circuit stays open before admitting probes. Default 30 seconds.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromMilliseconds(CircuitBreakerDefaults.BreakDurationMs);

    /// <summary>Probe calls admitted at once while half-open. Default 1.</summary>
    public int HalfOpenMaxCalls { get; set; } = CircuitBreakerDefaults.HalfOpenMaxCalls;

    /// <summary>
    /// Consecutive successful probes that close a half-open circuit; at least 1. Default 1 (the first success closes it,
    /// gobreaker's <c>MaxRequests</c> when it equals <see cref="HalfOpenMaxCalls"/>). A failed probe opens it again at once.
    /// </summary>
    public int SuccessThreshold { get; set; } = CircuitBreakerDefaults.SuccessThreshold;

    /// <summary>
    /// While closed, how often the counts (sampling-window totals and both streaks) start again from zero, like
    /// gobreaker's <c>Interval</c>; <see cref="TimeSpan.Zero"/> (the default) never resets them. The first interval starts
    /// when the circuit closes (or the breaker is created); when an outcome is recorded at or after its end, the counts are
    /// cleared first and the next interval starts then. Zero or positive and finite.
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(CircuitBreakerDefaults.IntervalMs);

    /// <summary>
    /// A predicate (gobreaker's <c>IsSuccessful</c>, inverted) that decides whether an exception counts as a failure:
    /// <see langword="false"/> makes it neutral, like an exception outside <see cref="Handle"/>. <see langword="null"/> (the
    /// default) counts every exception <see cref="Handle"/> lets through. It is asked only about exceptions that are not
    /// the caller's cancellation, a rejection or a timeout (those are decided before it), and only when
    /// <see cref="Handle"/> lets them through. It must not throw. Options compare it by delegate equality (a static method
    /// is equal to itself).
    /// </summary>
    public Func<Exception, bool>? HandleException { get; set; }

    /// <summary>
    /// Exception types (and subtypes) counted as failures; <see langword="null"/> (the default) counts every exception.
    /// When set, it must list at least one type, each <see cref="Exception"/> or derived from it.
    /// </summary>
    public IReadOnlyList<Type>? Handle { get; set; }

    /// <summary>
    /// A custom trip policy; overrides <see cref="FailureThreshold"/>, <see cref="FailureRatio"/> and <see cref="TimeoutRatio"/>.
    /// Options compare it by runtime type (and, for the built-in policies, by their settings), because generated code
    /// creates one instance per proxy.
    /// </summary>
    public ITripPolicy? TripPolicy { get; set; }

    /// <summary>
    /// Keyed breakers only (<see cref="KeyedCircuitBreaker{TKey}"/>): the most keys held at once; at least 1. Default
    /// 10 000. Beyond it the least recently used keys are evicted, whatever their state.
    /// </summary>
    public int MaxKeys { get; set; } = CircuitBreakerDefaults.MaxKeys;

    /// <summary>
    /// Keyed breakers only (<see cref="KeyedCircuitBreaker{TKey}"/>): a key unused for this long, whose breaker is
    /// closed with no call in flight, is evicted; positive and finite. Default 1 minute.
    /// </summary>
    public TimeSpan KeyIdleTimeout { get; set; } = TimeSpan.FromMilliseconds(CircuitBreakerDefaults.KeyIdleTimeoutMs);

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> naming the setting to change when a value is invalid, or
    /// <see cref="ArgumentException"/> when <see cref="Handle"/> is empty or lists something that is not an exception type.
    /// </summary>
    public void Validate()
    {
        if (FailureThreshold < 1)
        {
            throw OutOfRange(nameof(FailureThreshold), $"FailureThreshold must be at least 1; got {FailureThreshold}.");
        }

        ValidateRatio(FailureRatio, nameof(FailureRatio));
        ValidateRatio(TimeoutRatio, nameof(TimeoutRatio));

        if (MinimumThroughput < 1)
        {
            throw OutOfRange(nameof(MinimumThroughput), $"MinimumThroughput must be at least 1; got {MinimumThroughput}.");
        }

        ValidateDuration(SamplingDuration, nameof(SamplingDuration));
        ValidateDuration(BreakDuration, nameof(BreakDuration));

        if (HalfOpenMaxCalls < 1)
        {
            throw OutOfRange(nameof(HalfOpenMaxCalls), $"HalfOpenMaxCalls must be at least 1; got {HalfOpenMaxCalls}.");
        }

        if (MaxKeys < 1)
        {
            throw OutOfRange(nameof(MaxKeys), $"MaxKeys must be at least 1; got {MaxKeys}.");
        }

        ValidateDuration(KeyIdleTimeout, nameof(KeyIdleTimeout));

        if (SuccessThreshold < 1)
        {
            throw OutOfRange(nameof(SuccessThreshold), $"SuccessThreshold must be at least 1; got {SuccessThreshold}.");
        }

        if (Interval < TimeSpan.Zero || Interval == TimeSpan.MaxValue)
        {
            throw OutOfRange(nameof(Interval), $"Interval must be zero (off) or positive and finite; got {Interval}.");
        }

        if (Handle is { } handle)
        {
            if (handle.Count == 0)
            {
                throw new ArgumentException(
                    "Handle must list at least one exception type, or be null to count every exception.", nameof(Handle));
            }

            for (int i = 0; i < handle.Count; i++)
            {
                Type? type = handle[i];
                if (type is null)
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"Handle[{i}] is null; list exception types only."), nameof(Handle));
                }

                if (!typeof(Exception).IsAssignableFrom(type))
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"Handle[{i}] ({type.FullName}) does not derive from System.Exception; list exception types only."),
                        nameof(Handle));
                }
            }
        }
    }

    /// <summary>A copy (its own <see cref="Handle"/> list; a <see cref="TripPolicy"/> instance is shared).</summary>
    internal CircuitBreakerOptions Clone()
    {
        var copy = (CircuitBreakerOptions)MemberwiseClone();
        copy.Handle = Handle is { } handle ? new List<Type>(handle).AsReadOnly() : null;
        return copy;
    }

    /// <summary>
    /// Builds the trip policy these options describe: <see cref="TripPolicy"/> when set; otherwise a
    /// <see cref="FailureRatioTripPolicy"/> and/or <see cref="TimeoutRatioTripPolicy"/> for each ratio above 0 (the
    /// circuit opens when either trips); otherwise a <see cref="ConsecutiveFailuresTripPolicy"/> of <see cref="FailureThreshold"/>.
    /// </summary>
    public ITripPolicy CreateTripPolicy()
    {
        if (TripPolicy is { } custom)
        {
            return custom;
        }

        ITripPolicy? failure = FailureRatio > 0 ? new FailureRatioTripPolicy(FailureRatio, MinimumThroughput) : null;
        ITripPolicy? timeout = TimeoutRatio > 0 ? new TimeoutRatioTripPolicy(TimeoutRatio, MinimumThroughput) : null;
        return (failure, timeout) switch
        {
            ({ } f, { } t) => new AnyTripPolicy(f, t),
            ({ } f, null) => f,
            (null, { } t) => t,
            _ => new ConsecutiveFailuresTripPolicy(FailureThreshold),
        };
    }

    /// <inheritdoc />
    public bool Equals(CircuitBreakerOptions? other)
    {
        if (other is null)
        {
            return false;
        }

        if (ReferenceEquals(this, other))
        {
            return true;
        }

        return FailureThreshold == other.FailureThreshold
            && FailureRatio.Equals(other.FailureRatio)
            && TimeoutRatio.Equals(other.TimeoutRatio)
            && MinimumThroughput == other.MinimumThroughput
            && SamplingDuration == other.SamplingDuration
            && BreakDuration == other.BreakDuration
            && HalfOpenMaxCalls == other.HalfOpenMaxCalls
            && MaxKeys == other.MaxKeys
            && KeyIdleTimeout == other.KeyIdleTimeout
            && SuccessThreshold == other.SuccessThreshold
            && Interval == other.Interval
            && Equals(HandleException, other.HandleException)
            && ExceptionTypeList.Equal(Handle, other.Handle)
            && TripPolicyEquals(TripPolicy, other.TripPolicy);
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CircuitBreakerOptions);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(FailureThreshold);
        hash.Add(FailureRatio);
        hash.Add(TimeoutRatio);
        hash.Add(MinimumThroughput);
        hash.Add(SamplingDuration);
        hash.Add(BreakDuration);
        hash.Add(HalfOpenMaxCalls);
        hash.Add(MaxKeys);
        hash.Add(KeyIdleTimeout);
        hash.Add(SuccessThreshold);
        hash.Add(Interval);
        hash.Add(HandleException?.Method);
        ExceptionTypeList.AddTo(ref hash, Handle);

        hash.Add(TripPolicy?.GetType());
        return hash.ToHashCode();
    }

    private static bool TripPolicyEquals(ITripPolicy? left, ITripPolicy? right)
    {
        if (left is null || right is null)
        {
            return left is null && right is null;
        }

        if (left.GetType() != right.GetType())
        {
            return false;
        }

        // Custom policies are instantiated per proxy, so only their type can be compared; the built-in ones carry
        // settings that must agree too.
        return left is not (ConsecutiveFailuresTripPolicy or FailureRatioTripPolicy or TimeoutRatioTripPolicy) || left.Equals(right);
    }

    private static void ValidateRatio(double value, string name)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw OutOfRange(name, $"{name} must be 0 (off) or in (0, 1]; got {value}.");
        }
    }

    private static void ValidateDuration(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value == TimeSpan.MaxValue)
        {
            throw OutOfRange(name, $"{name} must be positive and finite; got {value}.");
        }
    }

    private static ArgumentOutOfRangeException OutOfRange(string name, FormattableString message)
        => new(name, message.ToString(CultureInfo.InvariantCulture));
}
