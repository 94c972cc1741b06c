namespace Resilience;

/// <summary>
/// The built-in retry policies: retry every exception (or those in <see cref="RetryOptions.RetryOn"/>) except a
/// <see cref="PermanentException"/> or a <see cref="ResilienceRejectedException"/>, waiting a backoff delay capped at
/// <see cref="RetryOptions.MaxDelay"/> and spread by <see cref="RetryOptions.Jitter"/>.
/// </summary>
/// <remarks>
/// <see cref="GetDelay"/> takes the base delay of the backoff kind, caps it at <see cref="RetryOptions.MaxDelay"/>,
/// multiplies it by <c>1 + Jitter × (2r − 1)</c> with <c>r</c> uniform in [0, 1), and clamps the result to
/// [0, <see cref="RetryOptions.MaxDelay"/>]. With <c>Jitter = 0</c> the delays are exact and no random number is drawn.
/// Both methods are thread-safe and allocate nothing.
/// </remarks>
public abstract class RetryPolicy : IRetryPolicy
{
    private readonly Type[]? _retryOn;
    private readonly bool[]? _retryOnIsRejection;
    private readonly long _maxDelayTicks;
    private readonly double _jitter;
    private readonly Random? _random;
    private readonly object _randomLock = new();

    /// <summary>Creates the policy from <paramref name="options"/>, which are validated here; later changes to them have no effect.</summary>
    /// <param name="options">The settings.</param>
    protected RetryPolicy(RetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        Delay = options.Delay;
        Multiplier = options.Multiplier;
        _maxDelayTicks = options.MaxDelay.Ticks;
        _jitter = options.Jitter;
        _random = options.Random;

        if (options.RetryOn is { } retryOn)
        {
            _retryOn = new Type[retryOn.Count];
            _retryOnIsRejection = new bool[retryOn.Count];
            for (int i = 0; i < _retryOn.Length; i++)
            {
                _retryOn[i] = retryOn[i];
                _retryOnIsRejection[i] = typeof(ResilienceRejectedException).IsAssignableFrom(retryOn[i]);
            }
        }
    }

    /// <summary>The base delay, <see cref="RetryOptions.Delay"/>.</summary>
    private protected TimeSpan Delay { get; }

    /// <summary>The growth factor, <see cref="RetryOptions.Multiplier"/>.</summary>
    private protected double Multiplier { get; }

    /// <summary>Creates the policy <paramref name="options"/> describe: <see cref="ExponentialBackoff"/>, <see cref="LinearBackoff"/> or <see cref="ConstantBackoff"/>.</summary>
    /// <param name="options">The settings; validated here.</param>
    public static RetryPolicy Create(RetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Backoff switch
        {
            BackoffType.Constant => new ConstantBackoff(options),
            BackoffType.Linear => new LinearBackoff(options),
            BackoffType.Exponential => new ExponentialBackoff(options),
            _ => throw new ArgumentOutOfRangeException(nameof(options), $"Backoff must be Constant, Linear or Exponential; got {(int)options.Backoff}."),
        };
    }

    /// <inheritdoc />
    /// <remarks>
    /// <see langword="false"/> for a permanent failure (<see cref="PermanentException.IsPermanent"/>, which also looks
    /// into inner exceptions); <see langword="false"/> for a
    /// <see cref="ResilienceRejectedException"/> unless a <see cref="RetryOptions.RetryOn"/> entry that is a rejection
    /// type matches it; when <see cref="RetryOptions.RetryOn"/> is set, <see langword="true"/> only for the listed types
    /// and their subtypes; otherwise <see langword="true"/>.
    /// </remarks>
    public virtual bool ShouldRetry(Exception exception, int attempt)
    {
        ArgumentNullException.ThrowIfNull(exception);

        if (PermanentException.IsPermanent(exception))
        {
            return false;
        }

        Type[]? retryOn = _retryOn;
        if (exception is ResilienceRejectedException)
        {
            if (retryOn is null)
            {
                return false;
            }

            bool[] isRejection = _retryOnIsRejection!;
            for (int i = 0; i < retryOn.Length; i++)
            {
                if (isRejection[i] && retryOn[i].IsInstanceOfType(exception))
                {
                    return true;
                }
            }

            return false;
        }

        if (retryOn is null)
        {
            return true;
        }

        for (int i = 0; i < retryOn.Length; i++)
        {
            if (retryOn[i].IsInstanceOfType(exception))
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="attempt"/> is less than 1.</exception>
    public TimeSpan GetDelay(int attempt)
    {
        if (attempt < 1)
        {
            ThrowAttemptOutOfRange(attempt);
        }

        double ticks = GetBaseDelay(attempt).Ticks;
        double max = _maxDelayTicks;
        if (ticks > max)
        {
            ticks = max;
        }

        if (!(ticks > 0))
        {
            return TimeSpan.Zero;
        }

        if (_jitter > 0)
        {
            ticks *= 1.0 + (_jitter * ((2.0 * NextRandom()) - 1.0));
            if (ticks > max)
            {
                ticks = max;
            }
            else if (!(ticks > 0))
            {
                return TimeSpan.Zero;
            }
        }

        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The delay before retry <paramref name="attempt"/> before the cap and jitter are applied.</summary>
    /// <param name="attempt">The retry about to be made, from 1.</param>
    /// <returns>The uncapped delay; <see cref="TimeSpan.MaxValue"/> when it does not fit in a <see cref="TimeSpan"/>. A negative value counts as zero.</returns>
    protected abstract TimeSpan GetBaseDelay(int attempt);

    /// <summary>Converts a delay in ticks computed in floating point to a <see cref="TimeSpan"/>, saturating at <see cref="TimeSpan.MaxValue"/>.</summary>
    /// <param name="ticks">The delay in ticks; NaN counts as overflow.</param>
    private protected static TimeSpan FromTicksSaturating(double ticks)
    {
        if (ticks >= TimeSpan.MaxValue.Ticks || double.IsNaN(ticks))
        {
            return TimeSpan.MaxValue;
        }

        return ticks > 0 ? TimeSpan.FromTicks((long)ticks) : TimeSpan.Zero;
    }

    private double NextRandom()
    {
        Random? random = _random;
        if (random is null)
        {
            return Random.Shared.NextDouble();
        }

        // System.Random is not thread-safe; a shared seeded instance must be used by one thread at a time.
        lock (_randomLock)
        {
            return random.NextDouble();
        }
    }

    private static void ThrowAttemptOutOfRange(int attempt) =>
        throw new ArgumentOutOfRangeException(nameof(attempt), attempt, "The retry number (attempt) starts at 1.");
}
