using System;
using System.Linq;
using Resilience.Generator.Helpers;
using Resilience.Generator.Model;

namespace Resilience.Generator.Emitting;

/// <summary>Names of the generated locals of one method, suffixed until none equals a parameter name.</summary>
internal sealed class Locals
{
    private static readonly string[] BaseNames =
    {
        "__key", "__fresh", "__stale", "__timeout", "__lease", "__attempt", "__result", "__task", "__ex", "__oce", "__attemptScope", "__vt", "__call", "__error", "__failure", "__rejection", "__marked", "__hedge", "__first", "__race", "__hedgeToken", "__hedgeAttempt", "__handled", "__admittedAt",
    };

    public Locals(EquatableArray<ParameterModel> parameters)
    {
        var names = parameters.Select(p => p.Name.TrimStart('@')).ToList();
        var suffix = string.Empty;
        while (BaseNames.Any(n => names.Contains(n + suffix, StringComparer.Ordinal)))
        {
            suffix += "_";
        }

        Key = "__key" + suffix;
        Fresh = "__fresh" + suffix;
        Stale = "__stale" + suffix;
        Timeout = "__timeout" + suffix;
        Lease = "__lease" + suffix;
        Attempt = "__attempt" + suffix;
        Result = "__result" + suffix;
        Task = "__task" + suffix;
        Exception = "__ex" + suffix;
        Canceled = "__oce" + suffix;
        AttemptScope = "__attemptScope" + suffix;
        Pending = "__vt" + suffix;
        Call = "__call" + suffix;
        Error = "__error" + suffix;
        Failure = "__failure" + suffix;
        Rejection = "__rejection" + suffix;
        Marked = "__marked" + suffix;
        Hedge = "__hedge" + suffix;
        First = "__first" + suffix;
        Race = "__race" + suffix;
        HedgeToken = "__hedgeToken" + suffix;
        HedgeAttempt = "__hedgeAttempt" + suffix;
        Handled = "__handled" + suffix;
        AdmittedAt = "__admittedAt" + suffix;
    }

    /// <summary>The rate limit's clock reading, handed on to the timeout (one clock read per call).</summary>
    public string AdmittedAt { get; }

    public string Key { get; }

    public string Fresh { get; }

    public string Stale { get; }

    public string Timeout { get; }

    public string Lease { get; }

    public string Attempt { get; }

    public string Result { get; }

    public string Task { get; }

    public string Exception { get; }

    public string Canceled { get; }

    public string AttemptScope { get; }

    public string Pending { get; }

    public string Call { get; }

    /// <summary>The failure the call has so far, or null: what each strategy inspects instead of catching.</summary>
    public string Error { get; }

    /// <summary>The failure handed to the fallback, typed as the fallback's exception parameter.</summary>
    public string Failure { get; }

    /// <summary>The breaker's rejection, handed back by <c>TryAcquire</c> instead of thrown.</summary>
    public string Rejection { get; }

    /// <summary>Whether the result is one <c>HandleResult</c> marked as a failure and no retry replaced.</summary>
    public string Marked { get; }

    /// <summary>The hedge scope: the token every hedged attempt runs with.</summary>
    public string Hedge { get; }

    /// <summary>The first hedged attempt.</summary>
    public string First { get; }

    /// <summary>The hedge race, once the first attempt is pending.</summary>
    public string Race { get; }

    /// <summary>The hedged attempt's token, a parameter of the attempt method of a method without a token of its own.</summary>
    public string HedgeToken { get; }

    /// <summary>The hedged attempt's number, a parameter of the attempt method.</summary>
    public string HedgeAttempt { get; }

    /// <summary>A marked result that lost every hedge, handed back as the answer.</summary>
    public string Handled { get; }
}
