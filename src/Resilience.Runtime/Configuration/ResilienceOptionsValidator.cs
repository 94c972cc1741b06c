using Microsoft.Extensions.Options;

namespace Resilience;

/// <summary>
/// Validates <see cref="ResilienceOptions"/> at start-up (with <c>ValidateOnStart</c>) and on every reload: each
/// override must be a valid value of its setting. Failures name the instance and the setting, e.g.
/// <c>Resilience:Instances:users-db:CircuitBreaker:FailureThreshold: FailureThreshold must be at least 1; got 0.</c>
/// </summary>
/// <remarks>Every check of the options classes is of one setting alone, so an override valid here is valid on top of any declared settings.</remarks>
public sealed class ResilienceOptionsValidator : IValidateOptions<ResilienceOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ResilienceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string>? failures = null;
        if (options.ReadErrors.Count != 0)
        {
            failures = [.. options.ReadErrors];
        }

        foreach (KeyValuePair<string, ResilienceInstanceOptions> pair in options.Instances)
        {
            string prefix = $"{ResilienceOptions.SectionName}:Instances:{pair.Key}";
            if (pair.Value is null)
            {
                continue;
            }

            if (pair.Value.CircuitBreaker is { } breaker)
            {
                Check(() => breaker.ApplyTo(new CircuitBreakerOptions()).Validate(), prefix + ":CircuitBreaker", ref failures);
            }

            if (pair.Value.Bulkhead is { } bulkhead)
            {
                Check(() => bulkhead.ApplyTo(new BulkheadOptions()).Validate(), prefix + ":Bulkhead", ref failures);
            }
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The message of an options exception without the runtime's "(Parameter ...)" and "Actual value" suffixes.</summary>
    internal static string Describe(ArgumentException exception)
    {
        string message = exception.Message;
        int cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(Environment.NewLine, StringComparison.Ordinal);
        }

        return cut < 0 ? message : message[..cut];
    }

    private static void Check(Action validate, string path, ref List<string>? failures)
    {
        try
        {
            validate();
        }
        catch (ArgumentException exception)
        {
            (failures ??= []).Add($"{path}:{exception.ParamName}: {Describe(exception)}");
        }
    }
}
