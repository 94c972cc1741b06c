namespace Resilience;

/// <summary>
/// A result that <c>HandleResult</c> marked as a failure and that survived the retries, handed as a failure to
/// <see cref="CacheFallbackAttribute"/> (a stale result answers it) and to <see cref="FallbackAttribute"/> (a fallback
/// whose exception parameter is <see cref="Exception"/> or this type receives it). Never thrown to the caller: when
/// nothing answers it, the caller gets the result itself, as without these strategies.
/// </summary>
/// <remarks>Catch <see cref="HandledResultException{TResult}"/> for the typed result.</remarks>
public abstract class HandledResultException : Exception
{
    private protected HandledResultException(string message)
        : base(message)
    {
    }

    /// <summary>The marked result, boxed.</summary>
    public object? Result => BoxedResult;

    private protected abstract object? BoxedResult { get; }
}

/// <summary>A result of type <typeparamref name="TResult"/> marked as a failure by <c>HandleResult</c> (see <see cref="HandledResultException"/>).</summary>
/// <typeparam name="TResult">The method's result type.</typeparam>
public sealed class HandledResultException<TResult> : HandledResultException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="result">The result marked as a failure.</param>
    public HandledResultException(TResult result)
        : base($"The call returned a {typeof(TResult).Name} that HandleResult marks as a failure, and retries did not replace it.")
    {
        Result = result;
    }

    /// <summary>The marked result.</summary>
    public new TResult Result { get; }

    private protected override object? BoxedResult => Result;
}
