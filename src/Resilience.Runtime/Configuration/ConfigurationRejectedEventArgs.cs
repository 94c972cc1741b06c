using Microsoft.Extensions.Options;

namespace Resilience;

/// <summary>
/// Data of <see cref="ResilienceRegistry.OnConfigurationRejected"/>: changed configuration that the registry did not
/// apply, so the instances concerned keep their last valid settings.
/// </summary>
public sealed class ConfigurationRejectedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="failures">One entry per rejected value: its configuration path and the reason.</param>
    /// <param name="exception">The validation failure when the whole change was refused; <see langword="null"/> when only some instances refused it.</param>
    public ConfigurationRejectedEventArgs(IReadOnlyList<string> failures, OptionsValidationException? exception)
    {
        ArgumentNullException.ThrowIfNull(failures);
        Failures = failures;
        Exception = exception;
    }

    /// <summary>
    /// One entry per rejected value, each starting with its configuration path, e.g.
    /// <c>Resilience:Instances:users-db:Retry:MaxRetries: MaxRetries must be 0 or more; got -1.</c>
    /// </summary>
    public IReadOnlyList<string> Failures { get; }

    /// <summary>
    /// When the changed options failed validation (<see cref="ResilienceOptionsValidator"/>), the exception
    /// <c>IOptionsMonitor</c> threw: no instance changed. <see langword="null"/> when the options were valid but some
    /// instances' overrides did not fit their declared settings: those instances kept their settings, the others
    /// took the new ones.
    /// </summary>
    public OptionsValidationException? Exception { get; }

    /// <summary>Whether the whole change was refused (every instance kept its settings).</summary>
    public bool WholeChangeRejected => Exception is not null;
}
