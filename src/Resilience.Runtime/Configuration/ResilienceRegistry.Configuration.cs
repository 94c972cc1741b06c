using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Resilience;

/// <content>Configuration changes that are rejected: logged, raised as an event, never applied.</content>
public sealed partial class ResilienceRegistry
{
    private List<IDisposable>? _rejectionWatches;

    /// <summary>
    /// Raised when changed configuration is not applied: options that fail validation on a reload (every instance keeps
    /// its settings), or an instance's overrides that do not fit its declared settings (that instance keeps its settings).
    /// Also logged as a warning (event id 8, <c>ConfigurationRejected</c>) naming each path and the reason. Raised on the
    /// thread that reloaded configuration; keep handlers short and non-throwing.
    /// </summary>
    /// <remarks>
    /// A reload that fails validation is seen by the registry that <c>AddResilienceRegistry</c> (or
    /// <c>AddResilienceConfiguration</c>) registers, which watches the options' change token sources; a registry built
    /// by hand with an <see cref="IOptionsMonitor{TOptions}"/> reports only the instances that refuse their overrides.
    /// </remarks>
    public event EventHandler<ConfigurationRejectedEventArgs>? OnConfigurationRejected;

    /// <summary>
    /// Watches the change token sources of <see cref="ResilienceOptions"/> to report reloads that fail validation:
    /// <see cref="IOptionsMonitor{TOptions}"/> throws those on the reloading thread and never calls its listeners, so
    /// the registry would otherwise keep its settings without a word. Validates each change with
    /// <paramref name="factory"/> (the monitor's own factory; it runs the validators).
    /// </summary>
    internal void ReportRejectedReloads(IOptionsFactory<ResilienceOptions> factory, IEnumerable<IOptionsChangeTokenSource<ResilienceOptions>> sources)
    {
        var watches = new List<IDisposable>();
        foreach (IOptionsChangeTokenSource<ResilienceOptions> source in sources)
        {
            if (source.Name is { Length: > 0 } name && name != Options.DefaultName)
            {
                continue; // a named ResilienceOptions instance, not the one the registry uses
            }

            watches.Add(ChangeToken.OnChange(source.GetChangeToken, ValidateReload, factory));
        }

        lock (_createLock)
        {
            if (_disposed)
            {
                DisposeAll(watches);
                return;
            }

            _rejectionWatches = watches;
        }
    }

    private void ValidateReload(IOptionsFactory<ResilienceOptions> factory)
    {
        if (Volatile.Read(ref _disposed))
        {
            return;
        }

        try
        {
            _ = factory.Create(Options.DefaultName);
        }
        catch (OptionsValidationException exception)
        {
            ReportRejected([.. exception.Failures], exception);
        }
    }

    /// <summary>Logs (warning) and raises <see cref="OnConfigurationRejected"/>. Call outside the creation lock.</summary>
    private void ReportRejected(IReadOnlyList<string> failures, OptionsValidationException? exception)
    {
        if (Telemetry.Logger is { } logger)
        {
            ResilienceLog.ConfigurationRejected(
                logger,
                exception is not null ? "the whole change was refused, every instance keeps its settings" : "the instances named keep their settings, the others took the change",
                string.Join(" | ", failures));
        }

        OnConfigurationRejected?.Invoke(this, new ConfigurationRejectedEventArgs(failures, exception));
    }

    private void DisposeRejectionWatches() => DisposeAll(_rejectionWatches);

    private static void DisposeAll(List<IDisposable>? watches)
    {
        if (watches is null)
        {
            return;
        }

        foreach (IDisposable watch in watches)
        {
            watch.Dispose();
        }
    }
}
