namespace Resilience;

/// <summary>
/// Answers with another method when the call fails, including when it is rejected by a rate limit,
/// bulkhead or open circuit. The caller's own cancellation is never handed to a fallback.
/// </summary>
/// <remarks>
/// The fallback returns the method's return type (for <c>Task&lt;T&gt;</c>/<c>ValueTask&lt;T&gt;</c> methods also
/// <c>T</c>, <c>Task&lt;T&gt;</c> or <c>ValueTask&lt;T&gt;</c>). Each of its parameters is a parameter of the method
/// with the same name and type, in the same order (any may be left out), or one exception parameter; an exception
/// parameter narrower than <see cref="Exception"/> means the fallback handles only that type.
/// </remarks>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class FallbackAttribute : Attribute
{
    /// <summary>Falls back to method <paramref name="methodName"/> of the same interface (called on the inner instance), or a static interface method.</summary>
    /// <param name="methodName">The fallback method's name; use <c>nameof</c>.</param>
    public FallbackAttribute(string methodName) => MethodName = methodName;

    /// <summary>
    /// Falls back to method <paramref name="methodName"/> of <paramref name="handlerType"/>: a static method, or an
    /// instance method with the handler injected through the generated class's constructor.
    /// </summary>
    /// <param name="handlerType">The type that declares the fallback.</param>
    /// <param name="methodName">The fallback method's name; use <c>nameof</c>.</param>
    public FallbackAttribute(Type handlerType, string methodName)
    {
        HandlerType = handlerType;
        MethodName = methodName;
    }

    /// <summary>The type that declares the fallback, or <see langword="null"/> for the interface itself.</summary>
    public Type? HandlerType { get; }

    /// <summary>The fallback method's name.</summary>
    public string MethodName { get; }

    /// <summary>
    /// Whether the fallback also answers a result that <c>HandleResult</c> marks as a failure and that survived the
    /// retries: it receives a <see cref="HandledResultException{TResult}"/> carrying the result (a fallback whose
    /// exception parameter is narrower does not match it). Default <see langword="true"/>; with
    /// <see langword="false"/> such a result is returned as it is, as before this setting existed. A result no
    /// strategy answers is always returned as it is.
    /// </summary>
    public bool AnswerMarkedResults { get; set; } = true;
}
