using Microsoft.Extensions.Options;

namespace Resilience.Testing;

/// <summary>The kit's options: one mutable <see cref="ResilienceOptions"/>, validated and announced to the registry on every change.</summary>
internal sealed class KitOptionsMonitor : IOptionsMonitor<ResilienceOptions>
{
    private readonly object _gate = new();
    private readonly List<Action<ResilienceOptions, string?>> _listeners = [];

    public ResilienceOptions CurrentValue { get; } = new();

    public ResilienceOptions Get(string? name) => CurrentValue;

    public IDisposable? OnChange(Action<ResilienceOptions, string?> listener)
    {
        lock (_gate)
        {
            _listeners.Add(listener);
        }

        return new Subscription(this, listener);
    }

    /// <summary>Changes the options, validates them (throwing <see cref="OptionsValidationException"/> and undoing nothing) and reloads.</summary>
    public void Change(Action<ResilienceOptions> change)
    {
        Action<ResilienceOptions, string?>[] listeners;
        lock (_gate)
        {
            change(CurrentValue);
            ValidateOptionsResult result = new ResilienceOptionsValidator().Validate(Options.DefaultName, CurrentValue);
            if (result.Failed)
            {
                throw new OptionsValidationException(Options.DefaultName, typeof(ResilienceOptions), result.Failures);
            }

            listeners = [.. _listeners];
        }

        foreach (Action<ResilienceOptions, string?> listener in listeners)
        {
            listener(CurrentValue, Options.DefaultName);
        }
    }

    private sealed class Subscription(KitOptionsMonitor owner, Action<ResilienceOptions, string?> listener) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._listeners.Remove(listener);
            }
        }
    }
}
