namespace Resilience;

/// <summary>
/// Hedges an idempotent asynchronous read: when the latest attempt has not answered within <see cref="DelayMs"/> (and,
/// with <see cref="OnFailure"/>, when one fails), another attempt starts, up to <see cref="MaxHedges"/> more. The first
/// successful answer wins; the other attempts are cancelled through their <see cref="CancellationToken"/> and observed.
/// </summary>
/// <remarks>
/// It sits between <see cref="TimeoutAttribute"/> and <see cref="CircuitBreakerAttribute"/> in the documented order:
/// the timeout bounds the whole race, and each attempt goes through the breaker and the retry on its own. Only for
/// methods that return <see cref="Task"/>, <see cref="Task{TResult}"/>, <see cref="ValueTask"/> or
/// <see cref="ValueTask{TResult}"/> (RES0030), and only for calls that are safe to make twice. See docs/hedging.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class HedgeAttribute : Attribute
{
    /// <summary>
    /// How long the latest attempt may go unanswered before another starts, in milliseconds. Default 2 000;
    /// 0 starts every attempt at once; -1 hedges only when an attempt fails (<see cref="OnFailure"/> must be true).
    /// </summary>
    public int DelayMs { get; set; } = HedgeDefaults.DelayMs;

    /// <summary>Attempts beyond the first, from 1 to 10. Default 1.</summary>
    public int MaxHedges { get; set; } = HedgeDefaults.MaxHedges;

    /// <summary>Whether a failed attempt starts the next one at once (when any are left). Default <see langword="true"/>.</summary>
    public bool OnFailure { get; set; } = HedgeDefaults.OnFailure;

    /// <summary>Instance name; the same name shares one hedge's settings across methods. Default: the interface or method's full name.</summary>
    public string? Name { get; set; }
}
