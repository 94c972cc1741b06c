namespace Resilience.Generator.Diagnostics;

/// <summary>The ids of every diagnostic Resilience.Generator reports. Consecutive; never reuse a retired id.</summary>
internal static class DiagnosticIds
{
    /// <summary>The method named by <c>[Fallback]</c> does not exist or is not accessible.</summary>
    public const string FallbackNotFound = "RES0001";

    /// <summary>The fallback's return type cannot answer for the method's.</summary>
    public const string FallbackReturnTypeMismatch = "RES0002";

    /// <summary>A fallback parameter is not a parameter of the method (same name and type, same order) nor the exception.</summary>
    public const string FallbackParameterMismatch = "RES0003";

    /// <summary>The fallback has more than one exception parameter, or one passed by reference.</summary>
    public const string FallbackExceptionParameterInvalid = "RES0004";

    /// <summary>An attribute setting is out of range.</summary>
    public const string InvalidAttributeValue = "RES0005";

    /// <summary><c>KeyParameter</c>/<c>KeyParameters</c> names no usable parameter of the method, or <c>KeyMethod</c> no usable method.</summary>
    public const string KeyParameterNotFound = "RES0006";

    /// <summary><c>HandleResult</c> names no static <c>bool M(TResult)</c> on the interface, or the method has no result.</summary>
    public const string HandleResultInvalid = "RES0007";

    /// <summary><c>Policy</c>/<c>TripPolicy</c> names a type that cannot be created or does not implement the policy interface.</summary>
    public const string PolicyTypeInvalid = "RES0008";

    /// <summary>The worst-case retry delays are at least as long as the enclosing timeout.</summary>
    public const string RetryDelaysExceedTimeout = "RES0009";

    /// <summary>A strategy cannot apply to the member's shape.</summary>
    public const string StrategyNotApplicable = "RES0010";

    /// <summary>Two declarations share one instance <c>Name</c> with different settings.</summary>
    public const string ConflictingSharedName = "RES0011";

    /// <summary><c>[Timeout]</c> on an async method without a <c>CancellationToken</c> parameter.</summary>
    public const string TimeoutWithoutCancellationToken = "RES0012";

    /// <summary><c>[Timeout]</c> or retry delays on a synchronous method.</summary>
    public const string BlockingOnSynchronousMethod = "RES0013";

    /// <summary>The generator cannot implement the interface.</summary>
    public const string InterfaceCannotBeImplemented = "RES0014";

    /// <summary><c>[CacheFallback]</c> on a method that returns no result.</summary>
    public const string CacheFallbackWithoutResult = "RES0015";

    /// <summary>Several fallback overloads bind equally well.</summary>
    public const string FallbackAmbiguous = "RES0016";

    /// <summary>A setting of the per-key table (<c>MaxKeys</c>, <c>KeyIdleTimeoutMs</c>) on an attribute without <c>KeyParameter</c>.</summary>
    public const string KeyedSettingWithoutKey = "RES0017";

    /// <summary>The generator failed unexpectedly on an interface (reported by the generator itself, not an analyzer).</summary>
    public const string GeneratorFailed = "RES0018";

    /// <summary>The decorator's name is already taken in the interface's namespace.</summary>
    public const string DecoratorNameClash = "RES0019";

    /// <summary>A fallback may return null where the decorated method's result is not nullable.</summary>
    public const string FallbackNullabilityMismatch = "RES0020";

    /// <summary>A <c>[CacheFallback]</c> key parameter's type has no value-based identity (no <c>ToString</c> of its own).</summary>
    public const string CacheKeyWithoutValueIdentity = "RES0021";

    /// <summary>A resilience attribute on a member of a class or struct (or a local function or lambda), where nothing reads it.</summary>
    public const string AttributeIgnoredOutsideInterface = "RES0022";

    /// <summary>An interface property has an <c>init</c> accessor, which a decorator cannot forward to its inner instance.</summary>
    public const string InitOnlyPropertyNotForwarded = "RES0023";

    /// <summary><c>[Bulkhead(Kind = BulkheadKind.WorkerPool)]</c> on a synchronous method.</summary>
    public const string WorkerPoolOnSynchronousMethod = "RES0024";

    /// <summary><c>HandleException</c> names no method of the interface.</summary>
    public const string HandleExceptionNotFound = "RES0027";

    /// <summary><c>HandleException</c> names a method that is not static (or is static abstract).</summary>
    public const string HandleExceptionNotStatic = "RES0028";

    /// <summary><c>HandleException</c> names a static method that is not <c>bool M(Exception)</c>.</summary>
    public const string HandleExceptionSignatureInvalid = "RES0029";

    /// <summary><c>[Hedge]</c> on a synchronous method.</summary>
    public const string HedgeOnSynchronousMethod = "RES0030";

    /// <summary><c>[Hedge]</c> on a method without a <c>CancellationToken</c> parameter: losers cannot be cancelled.</summary>
    public const string HedgeWithoutCancellationToken = "RES0031";

    /// <summary><c>[Hedge]</c> whose <c>DelayMs</c> is at least the method's <c>[Timeout]</c>: no hedge is ever made.</summary>
    public const string HedgeDelayReachesTimeout = "RES0032";

    /// <summary><c>[Retry(Budget = ...)]</c> with an empty or blank name.</summary>
    public const string RetryBudgetNameInvalid = "RES0033";

    /// <summary><c>[Retry(Budget = ...)]</c> on a retry with <c>MaxRetries = 0</c>.</summary>
    public const string RetryBudgetNeverUsed = "RES0034";

    /// <summary><c>[Retry(Budget = ...)]</c> naming a budget that configuration cannot reach (the name contains ':').</summary>
    public const string RetryBudgetNotConfigurable = "RES0035";
}
