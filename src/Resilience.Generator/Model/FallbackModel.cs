using Resilience.Generator.Helpers;

namespace Resilience.Generator.Model;

/// <summary>A bound fallback call.</summary>
/// <param name="Target">Where it is called.</param>
/// <param name="Receiver">
/// For <see cref="FallbackTarget.Static"/> the fully qualified declaring type; for
/// <see cref="FallbackTarget.HandlerInstance"/> the handler field; for <see cref="FallbackTarget.InnerInstance"/> the
/// fully qualified interface the method is called through.
/// </param>
/// <param name="MethodName">The fallback's identifier.</param>
/// <param name="TypeArguments">The type arguments passed to a generic fallback (the method's type parameters), or none.</param>
/// <param name="Arguments">Per fallback parameter: the decorated method's parameter index, or -1 for the exception.</param>
/// <param name="ExceptionType">The fully qualified exception type handled (<c>global::System.Exception</c> when all are).</param>
/// <param name="ReturnKind">How the fallback's result is adapted.</param>
/// <param name="NullForgiving">Whether its result differs from the method's only in nullability (passed on with <c>!</c>).</param>
internal sealed record FallbackModel(
    FallbackTarget Target,
    string Receiver,
    string MethodName,
    EquatableArray<string> TypeArguments,
    EquatableArray<int> Arguments,
    string ExceptionType,
    FallbackReturnKind ReturnKind,
    bool NullForgiving = false);
