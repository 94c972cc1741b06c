using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Diagnostics;

/// <summary>
/// The one table of every diagnostic Resilience.Generator reports. Errors stop a program the generator would have to
/// degrade to plain delegation; warnings flag what is legal but probably wrong. Each id has a help page in
/// <c>docs/diagnostics/RESnnnn.md</c> and a row in <c>AnalyzerReleases.Unshipped.md</c>.
/// </summary>
/// <remarks>
/// No descriptor sets <c>helpLinkUri</c>: the project has no public web address yet, and a link to a site that does
/// not exist would lead nowhere from the IDE. The help pages ship in the package instead (<c>docs/diagnostics/</c>
/// beside its README), and the README says where to find them. Give every descriptor a link once the docs are
/// published somewhere real.
/// </remarks>
internal static class DiagnosticDescriptors
{
    /// <summary>Misuse that makes the generated decorator impossible or wrong.</summary>
    public const string UsageCategory = "Resilience.Usage";

    /// <summary>Legal combinations that probably do not do what was meant.</summary>
    public const string DesignCategory = "Resilience.Design";

    public static readonly DiagnosticDescriptor FallbackNotFound = new(
        DiagnosticIds.FallbackNotFound,
        title: "Fallback method not found",
        messageFormat: "The [Fallback] of {0} names no usable method: {1}",
        UsageCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "[Fallback] must name an accessible method of the interface (or of the handler type given as its first argument).");

    public static readonly DiagnosticDescriptor FallbackReturnTypeMismatch = new(
        DiagnosticIds.FallbackReturnTypeMismatch,
        title: "Fallback return type is incompatible with the method's",
        messageFormat: "The [Fallback] of {0} returns an incompatible type: {1}",
        UsageCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A fallback returns the method's return type; for Task<T>/ValueTask<T> methods also T, Task<T> or ValueTask<T>; for void/Task/ValueTask methods void, Task or ValueTask.");

    public static readonly DiagnosticDescriptor FallbackParameterMismatch = new(
        DiagnosticIds.FallbackParameterMismatch,
        title: "Fallback parameter does not match the method",
        messageFormat: "The [Fallback] of {0} has a parameter that does not match: {1}",
        UsageCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Each fallback parameter is a parameter of the decorated method with the same name and type, in the same relative order, or the one exception parameter.");

    public static readonly DiagnosticDescriptor FallbackExceptionParameterInvalid = new(
        DiagnosticIds.FallbackExceptionParameterInvalid,
        title: "Fallback exception parameter is invalid",
        messageFormat: "The [Fallback] of {0} has an invalid exception parameter: {1}",
        UsageCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A fallback takes at most one exception parameter (System.Exception or a subtype), passed by value.");

    public static readonly DiagnosticDescriptor InvalidAttributeValue = new(
        DiagnosticIds.InvalidAttributeValue,
        title: "Resilience attribute value is out of range",
        messageFormat: "Invalid [{0}] value: {1}",
        UsageCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Counts, durations, ratios and exception type lists of resilience attributes must be in the documented ranges.");

    public static readonly DiagnosticDescriptor KeyParameterNotFound = new(
        DiagnosticIds.KeyParameterNotFound,
        title: "Key parameter names no parameter of the method",
        messageFormat: "The [{0}] key of {1} is invalid: {2}",
        UsageCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "KeyParameter and KeyParameters must name parameters of every method the attribute applies to, passed by value and neither a ref struct nor a pointer; an interface-level keyed limiter or breaker needs the key parameter, with one type, on every method; KeyMethod must name a static 'string M(key parameters)' on the interface.");

    public static readonly DiagnosticDescriptor HandleResultInvalid = new(
        DiagnosticIds.HandleResultInvalid,
        title: "HandleResult names no valid result predicate",
        messageFormat: "HandleResult of the [{0}] on {1} is invalid: {2}",
        UsageCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "HandleResult names a static method 'bool M(TResult)' declared on the interface that accepts the method's result type; the method must return a result.");

    public static readonly DiagnosticDescriptor PolicyTypeInvalid = new(
        DiagnosticIds.PolicyTypeInvalid,
        title: "Policy type cannot be used",
        messageFormat: "The {0} type '{1}' cannot be used: {2}",
        UsageCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Retry Policy types implement Resilience.IRetryPolicy and CircuitBreaker TripPolicy types implement Resilience.ITripPolicy; both are concrete, accessible, and have a public parameterless constructor.");

    public static readonly DiagnosticDescriptor RetryDelaysExceedTimeout = new(
        DiagnosticIds.RetryDelaysExceedTimeout,
        title: "Retry delays are longer than the timeout",
        messageFormat: "In the worst case the retry delays of {0} add up to {1} ms, not less than its [Timeout] of {2} ms, so the later retries never run; lower MaxRetries, DelayMs or MaxDelayMs, or raise the timeout",
        DesignCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The timeout bounds the whole retry sequence. When the delays alone (with the largest jitter, capped by MaxDelayMs) reach it, the last retries are cut off.");

    public static readonly DiagnosticDescriptor StrategyNotApplicable = new(
        DiagnosticIds.StrategyNotApplicable,
        title: "Resilience attribute cannot apply to this member",
        messageFormat: "[{0}] cannot apply to {1}: {2}",
        UsageCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generated decorator cannot wrap IAsyncEnumerable<T> or by-reference returns, ref/out or ref struct parameters of async methods, ref/out parameters with Retry, Fallback or CacheFallback, accessors, or static, private and sealed interface members.");

    public static readonly DiagnosticDescriptor ConflictingSharedName = new(
        DiagnosticIds.ConflictingSharedName,
        title: "Shared instance name declared with different settings",
        messageFormat: "The [{0}] Name '{1}' is also declared at {2} with different settings ({3}); use the same settings or a different Name",
        DesignCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Declarations with the same Name share one instance, created from whichever declaration is used first; their settings must agree.",
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor TimeoutWithoutCancellationToken = new(
        DiagnosticIds.TimeoutWithoutCancellationToken,
        title: "Timeout on an async method without a CancellationToken",
        messageFormat: "[Timeout] on {0} cannot cancel the inner call because the method has no CancellationToken parameter, so a timed-out call is abandoned and keeps running; add a CancellationToken parameter",
        DesignCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The timeout replaces the method's CancellationToken with one that is cancelled when time is up. Without such a parameter the caller stops waiting but the work goes on.");

    public static readonly DiagnosticDescriptor BlockingOnSynchronousMethod = new(
        DiagnosticIds.BlockingOnSynchronousMethod,
        title: "Timeout or retry delays on a synchronous method",
        messageFormat: "{0} on the synchronous method {1} blocks the calling thread; return Task or ValueTask instead, or remove it",
        DesignCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A synchronous decorator waits for retry delays and timeouts by blocking the calling thread.");

    public static readonly DiagnosticDescriptor InterfaceCannotBeImplemented = new(
        DiagnosticIds.InterfaceCannotBeImplemented,
        title: "The generator cannot implement this interface",
        messageFormat: "The generator cannot implement '{0}', so no decorator is generated: {1}",
        UsageCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The decorator is a top-level class in the interface's namespace; the interface must be accessible there and have no static abstract or static virtual members, no abstract protected members, and no type parameter named var or starting with __.");

    public static readonly DiagnosticDescriptor CacheFallbackWithoutResult = new(
        DiagnosticIds.CacheFallbackWithoutResult,
        title: "CacheFallback on a method without a result",
        messageFormat: "[CacheFallback] on {0} has nothing to cache because the method returns no result; remove it or return a value",
        UsageCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "[CacheFallback] stores results; a method returning void, Task or ValueTask has none.");

    public static readonly DiagnosticDescriptor FallbackAmbiguous = new(
        DiagnosticIds.FallbackAmbiguous,
        title: "Fallback overloads are ambiguous",
        messageFormat: "The [Fallback] of {0} is ambiguous: {1}",
        UsageCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "When several overloads of the fallback bind, the one using the most parameters is called; two binding with the same number are ambiguous.");

    public static readonly DiagnosticDescriptor KeyedSettingWithoutKey = new(
        DiagnosticIds.KeyedSettingWithoutKey,
        title: "Keyed setting has no effect without KeyParameter",
        messageFormat: "[{0}] setting has no effect: {1}",
        DesignCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "MaxKeys and KeyIdleTimeoutMs bound the table of per-key instances that KeyParameter creates; without KeyParameter there is one instance and they do nothing.");

    /// <summary>Reported by the generator, not an analyzer: an unexpected exception while it read or wrote one interface.</summary>
    public static readonly DiagnosticDescriptor GeneratorFailed = new(
        DiagnosticIds.GeneratorFailed,
        title: "The generator failed on this interface",
        messageFormat: "Resilience.Generator failed on '{0}', so no decorator is generated for it (other interfaces are not affected): {1}. This is a bug of the generator; please report it with the interface. Until it is fixed, remove the resilience attributes from '{0}' or change the member the error names.",
        UsageCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "An unexpected exception inside the generator is reported on the interface it was working on, instead of failing the generator (CS8785), which would remove every decorator of the project.");

    public static readonly DiagnosticDescriptor DecoratorNameClash = new(
        DiagnosticIds.DecoratorNameClash,
        title: "The decorator's name is already taken",
        messageFormat: "No decorator is generated for '{0}': its name '{1}' is already taken by {2}; rename one of them",
        UsageCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The decorator of an interface is the top-level class {containing type names}{name without a leading I}Resilient in the interface's namespace; a type of that name and arity that is not a partial class, or another interface's decorator of the same name, leaves the generator nothing to emit.");

    public static readonly DiagnosticDescriptor FallbackNullabilityMismatch = new(
        DiagnosticIds.FallbackNullabilityMismatch,
        title: "Fallback may return null for a non-nullable result",
        messageFormat: "The fallback '{0}' of {1} returns '{2}', which may be null, but the method returns '{3}'; return a non-nullable type from the fallback or annotate the method's result as nullable",
        DesignCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The compiler warns (CS8619, CS8600, CS8603) when a nullable value is returned where a non-nullable one is declared; the generated code passes the fallback's result on with '!', so this warning says it in the user's code instead.");

    public static readonly DiagnosticDescriptor CacheKeyWithoutValueIdentity = new(
        DiagnosticIds.CacheKeyWithoutValueIdentity,
        title: "Cache key parameter has no value-based identity",
        messageFormat: "The [CacheFallback] key of {0} includes '{1}' of type '{2}', which has no ToString of its own, so different values can share one cache entry; {3}",
        DesignCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A [CacheFallback] key is made of the key arguments' text. A type that does not override ToString (a class or struct, an array, an interface, object) formats every value alike, so calls with different arguments share one entry and one caller may be answered with another's result.");

    public static readonly DiagnosticDescriptor AttributeIgnoredOutsideInterface = new(
        DiagnosticIds.AttributeIgnoredOutsideInterface,
        title: "Resilience attribute outside an interface is ignored",
        messageFormat: "[{0}] on {1} has no effect: only interface members (and interfaces) get a decorator; {2}",
        UsageCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Resilience.Generator decorates interfaces. A resilience attribute on a method of a class, struct or record, on an explicit interface implementation, an accessor, a local function or a lambda is read by nothing: the calls run without the strategy.");

    public static readonly DiagnosticDescriptor InitOnlyPropertyNotForwarded = new(
        DiagnosticIds.InitOnlyPropertyNotForwarded,
        title: "An init accessor cannot be forwarded by the decorator",
        messageFormat: "The decorator of '{0}' cannot forward the init accessor of '{1}': it reads the property from the inner instance, but setting it through the decorator throws NotSupportedException; set it on the inner instance before wrapping it, or declare the accessor 'set'",
        DesignCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "An init accessor may only set the object being initialized (in its object initializer, constructor or a 'with' expression). The decorator wraps an inner instance that was initialized before it was wrapped, so its own init accessor has nothing it may set: C# rejects '_inner.P = value' there (CS8852), and setting the inner's property afterwards would break the promise 'init' makes to its readers.");

    public static readonly DiagnosticDescriptor WorkerPoolOnSynchronousMethod = new(
        DiagnosticIds.WorkerPoolOnSynchronousMethod,
        title: "A worker-pool bulkhead on a synchronous method",
        messageFormat: "[Bulkhead(Kind = BulkheadKind.WorkerPool)] cannot apply to the synchronous method {0}: its caller's thread would block until a worker ran the call, which defeats the pool; return Task or ValueTask, or use Kind = BulkheadKind.Semaphore",
        UsageCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A worker-pool bulkhead runs each admitted call on one of its own threads while the caller awaits the result. A synchronous method cannot await: its caller would block a thread for the whole call, which is what the pool is there to prevent.");

    public static readonly DiagnosticDescriptor HandleExceptionNotFound = new(
        DiagnosticIds.HandleExceptionNotFound,
        title: "HandleException names no method of the interface",
        messageFormat: "HandleException of the [{0}] names no method: {1}",
        UsageCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "HandleException names a static method 'bool M(Exception exception)' declared on the interface the [CircuitBreaker] is written on (or whose method it is written on).");

    public static readonly DiagnosticDescriptor HandleExceptionNotStatic = new(
        DiagnosticIds.HandleExceptionNotStatic,
        title: "HandleException method is not static",
        messageFormat: "HandleException of the [{0}] names a method that is not static: {1}",
        UsageCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The breaker asks HandleException about exceptions without an instance of the interface, so the method must be static with a body (not static abstract).");

    public static readonly DiagnosticDescriptor HandleExceptionSignatureInvalid = new(
        DiagnosticIds.HandleExceptionSignatureInvalid,
        title: "HandleException method has the wrong signature",
        messageFormat: "HandleException of the [{0}] names a method with the wrong signature: {1}",
        UsageCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "HandleException becomes a Func<Exception, bool>: the method is non-generic and not private, returns bool, and takes one parameter by value of type System.Exception (or a type System.Exception converts to by reference, such as object).");

    public static readonly DiagnosticDescriptor HedgeOnSynchronousMethod = new(
        DiagnosticIds.HedgeOnSynchronousMethod,
        title: "[Hedge] on a synchronous method",
        messageFormat: "[Hedge] cannot apply to {0}: it is synchronous, so a second attempt could only start after the first returned; return Task, Task<T>, ValueTask or ValueTask<T>",
        UsageCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Hedging runs attempts side by side and takes the first answer. A synchronous method blocks its caller until it returns, so there is nothing to run beside it; the method is left without any strategy until the attribute is removed or the method made asynchronous.");

    public static readonly DiagnosticDescriptor HedgeWithoutCancellationToken = new(
        DiagnosticIds.HedgeWithoutCancellationToken,
        title: "[Hedge] on a method without a CancellationToken",
        messageFormat: "[Hedge] on {0}: the method has no CancellationToken parameter, so the attempts that lose the race cannot be cancelled and run to their end; add a CancellationToken parameter",
        DesignCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "When a hedged attempt answers, the others are cancelled through the token the decorator passes in place of the method's CancellationToken. Without one they are abandoned (observed, never awaited) and keep loading the dependency until they end.");

    public static readonly DiagnosticDescriptor HedgeDelayReachesTimeout = new(
        DiagnosticIds.HedgeDelayReachesTimeout,
        title: "[Hedge] delay reaches the timeout",
        messageFormat: "[Hedge] on {0} waits {1} ms before hedging, but the [Timeout] ends the call after {2} ms, so no hedge is ever made; lower DelayMs or raise the timeout",
        DesignCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The timeout bounds the whole race (Timeout → Hedge in the documented order). A hedging delay of at least the timeout never elapses before the call ends.");

    public static readonly DiagnosticDescriptor RetryBudgetNameInvalid = new(
        DiagnosticIds.RetryBudgetNameInvalid,
        title: "Retry budget name is blank",
        messageFormat: "[Retry] Budget: {0}",
        UsageCategory,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A retry budget is shared by every retry that names it; an empty or blank name names none. The method is left without any strategy until the name is fixed.");

    public static readonly DiagnosticDescriptor RetryBudgetNeverUsed = new(
        DiagnosticIds.RetryBudgetNeverUsed,
        title: "Retry budget on a retry that never retries",
        messageFormat: "[Retry] Budget: {0}",
        DesignCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A retry with MaxRetries = 0 makes no retries, so it never draws from its budget; its calls still count toward the budget, which gives the other retries naming it more room.");

    public static readonly DiagnosticDescriptor RetryBudgetNotConfigurable = new(
        DiagnosticIds.RetryBudgetNotConfigurable,
        title: "Retry budget name cannot be configured",
        messageFormat: "[Retry] Budget: {0}",
        DesignCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Budgets are configured under Resilience:RetryBudgets:<name>; ':' separates configuration path segments, so a name containing it can never be reached from configuration and keeps the settings given in code or the defaults.");
}
