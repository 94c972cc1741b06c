using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Resilience;

public sealed partial class ResilienceRegistry
{
    private readonly ConcurrentDictionary<string, Registration<HedgeStrategy, HedgeOptions>> _hedges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Registration<RetryBudget, RetryBudgetOptions>> _retryBudgets = new(StringComparer.Ordinal);

    /// <summary>Returns the hedge named <paramref name="name"/>, creating it with <paramref name="options"/> on first use.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="options">The settings; must equal those of an existing instance of that name.</param>
    /// <exception cref="InvalidOperationException">An instance of that name exists with different settings.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid (nothing is registered then).</exception>
    public HedgeStrategy GetOrAddHedge(string name, HedgeOptions options)
    {
        ValidateArguments(name, options);
        options.Validate();
        return GetOrAdd(_hedges, name, options, "hedge",
            static (registry, name, options) =>
            {
                HedgeStrategy hedge = CreateConfigured(
                    name, "Hedge", options, registry.EffectiveHedge(name, options),
                    registry, static (name, effective, registry) => new HedgeStrategy(name, effective, registry._timeProvider));
                return registry.Attach(hedge);
            });
    }

    /// <summary>Finds an existing hedge by name.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="hedge">The hedge, when found.</param>
    public bool TryGetHedge(string name, [NotNullWhen(true)] out HedgeStrategy? hedge) => TryGet(_hedges, name, out hedge);

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
        if (_retryBudgets.TryGetValue(name, out var registration))
        {
            return registration.Instance;
        }

        lock (_createLock)
        {
            ThrowIfDisposed();
            if (!_retryBudgets.TryGetValue(name, out registration))
            {
                RetryBudgetOptions declared = options?.Clone() ?? new RetryBudgetOptions();
                registration = new(new RetryBudget(name, ConfiguredBudget(name) ?? declared, _timeProvider), declared);
                _retryBudgets[name] = registration;
            }

            return registration.Instance;
        }
    }

    /// <summary>Finds an existing retry budget by name.</summary>
    /// <param name="name">The budget's name.</param>
    /// <param name="budget">The budget, when found.</param>
    public bool TryGetRetryBudget(string name, [NotNullWhen(true)] out RetryBudget? budget)
    {
        ValidateName(name);
        budget = _retryBudgets.TryGetValue(name, out var registration) ? registration.Instance : null;
        return budget is not null;
    }

    private RetryBudgetSnapshot[] RetryBudgetSnapshots()
    {
        var budgets = new List<RetryBudgetSnapshot>(_retryBudgets.Count);
        foreach (KeyValuePair<string, Registration<RetryBudget, RetryBudgetOptions>> pair in _retryBudgets)
        {
            RetryBudget budget = pair.Value.Instance;
            budget.ReadWindow(out long calls, out long retries);
            budgets.Add(new RetryBudgetSnapshot(pair.Key, budget.Options.Ratio, calls, retries));
        }

        budgets.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return [.. budgets];
    }

    private HedgeOptions EffectiveHedge(string name, HedgeOptions declared)
        => Overrides(name)?.Hedge is { } overrides ? overrides.ApplyTo(declared) : declared;

    private RetryBudgetOptions? ConfiguredBudget(string name)
        => Volatile.Read(ref _overrides) is { } options && options.RetryBudgets.TryGetValue(name, out RetryBudgetOptions? budget) ? budget : null;

    /// <summary>Configuration changed (under the creation lock): hedges and budgets take their new settings.</summary>
    private void ReconfigureHedgesAndBudgets(ref List<string>? failures)
    {
        foreach (KeyValuePair<string, Registration<HedgeStrategy, HedgeOptions>> pair in _hedges)
        {
            HedgeOptions effective = EffectiveHedge(pair.Key, pair.Value.Options);
            HedgeStrategy hedge = pair.Value.Instance;
            KeepCurrentIfInvalid(pair.Key, "Hedge", ref failures, () => hedge.Reconfigure(effective));
        }

        foreach (KeyValuePair<string, Registration<RetryBudget, RetryBudgetOptions>> pair in _retryBudgets)
        {
            RetryBudgetOptions effective = ConfiguredBudget(pair.Key) ?? pair.Value.Options;
            RetryBudget budget = pair.Value.Instance;
            KeepCurrentIfInvalid(pair.Key, "RetryBudget", ref failures, () => budget.Reconfigure(effective));
        }
    }
}
