using System.Diagnostics.CodeAnalysis;

namespace Resilience;

public sealed partial class ResilienceRegistry
{
    /// <summary>Returns the hedge named <paramref name="name"/>, creating it with <paramref name="options"/> on first use.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="options">The settings; must equal those of an existing instance of that name.</param>
    /// <exception cref="InvalidOperationException">An instance of that name exists with different settings.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid (nothing is registered then).</exception>
    public HedgeStrategy GetOrAddHedge(string name, HedgeOptions options)
    {
        ValidateArguments(name, options);
        options.Validate();
        return GetOrAdd(InstanceRules.Hedge, name, options,
            static (registry, name, options) => CreateConfigured(
                name, "Hedge", options, registry.Effective(InstanceRules.Hedge, name, options),
                registry, static (name, effective, registry) => new HedgeStrategy(name, effective, registry._timeProvider, registry.Telemetry)));
    }

    /// <summary>Finds an existing hedge by name.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="hedge">The hedge, when found.</param>
    public bool TryGetHedge(string name, [NotNullWhen(true)] out HedgeStrategy? hedge) => TryGet(InstanceRules.Hedge, name, out hedge);

    /// <summary>
    /// Returns the retry budget named <paramref name="name"/>, creating it on first use with the settings of
    /// <see cref="ResilienceOptions.RetryBudgets"/> for that name, else <paramref name="options"/>, else the defaults.
    /// Every retry whose <see cref="RetryOptions.Budget"/> names it draws from this one instance.
    /// </summary>
    /// <param name="name">The budget's name.</param>
    /// <param name="options">The settings to create it with when configuration has none; ignored when it exists.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is blank, or the settings are invalid.</exception>
    public RetryBudget GetOrAddRetryBudget(string name, RetryBudgetOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (_instances.TryGet(InstanceRules.RetryBudget, name, out Registration<RetryBudget, RetryBudgetOptions>? registration))
        {
            return registration.Instance;
        }

        lock (_createLock)
        {
            ThrowIfDisposed();
            if (!_instances.TryGet(InstanceRules.RetryBudget, name, out registration))
            {
                RetryBudgetOptions declared = options?.Clone() ?? new RetryBudgetOptions();
                registration = new(name, new RetryBudget(name, Effective(InstanceRules.RetryBudget, name, declared), _timeProvider), declared, InstanceRules.RetryBudget);
                _instances.Add(registration);
            }

            return registration.Instance;
        }
    }

    /// <summary>Finds an existing retry budget by name.</summary>
    /// <param name="name">The budget's name.</param>
    /// <param name="budget">The budget, when found.</param>
    public bool TryGetRetryBudget(string name, [NotNullWhen(true)] out RetryBudget? budget)
    {
        return TryGet(InstanceRules.RetryBudget, name, out budget);
    }

    private RetryBudgetSnapshot[] RetryBudgetSnapshots()
    {
        var budgets = new List<RetryBudgetSnapshot>();
        foreach (Registration<RetryBudget, RetryBudgetOptions> registration in _instances.OfKind(InstanceRules.RetryBudget))
        {
            RetryBudget budget = registration.Instance;
            budget.ReadWindow(out long calls, out long retries);
            budgets.Add(new RetryBudgetSnapshot(registration.Name, budget.Options.Ratio, calls, retries));
        }

        budgets.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return [.. budgets];
    }
}
