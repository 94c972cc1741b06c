using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Resilience;

/// <summary>One registered instance, whatever its kind: what a reload and the inspection need to see of it.</summary>
internal interface IRegisteredInstance
{
    /// <summary>Its name space.</summary>
    InstanceKind Kind { get; }

    /// <summary>Its name.</summary>
    string Name { get; }

    /// <summary>The strategy itself.</summary>
    object Instance { get; }

    /// <summary>The section of <c>Resilience:Instances:{name}</c> (or of <c>Resilience</c>) that configures it.</summary>
    string Section { get; }

    /// <summary>Takes the declared settings with the overrides of <paramref name="options"/> (none when <see langword="null"/>).</summary>
    /// <exception cref="ArgumentException">The overrides do not fit the declared settings; the instance keeps its current ones.</exception>
    void Reconfigure(ResilienceOptions? options);
}

/// <summary>
/// A registered instance of one kind with the settings it was declared with (every later lookup must declare the same),
/// and the kind's rules for configuring it.
/// </summary>
/// <typeparam name="TInstance">The strategy's type (<see cref="object"/> where a kind has keyed and unkeyed types).</typeparam>
/// <typeparam name="TOptions">The declared settings' type.</typeparam>
internal sealed class Registration<TInstance, TOptions>(string name, TInstance instance, TOptions options, InstanceRules<TInstance, TOptions> rules)
    : IRegisteredInstance
    where TInstance : class
    where TOptions : class
{
    public InstanceKind Kind => rules.Kind;

    public string Name { get; } = name;

    public TInstance Instance { get; } = instance;

    object IRegisteredInstance.Instance => Instance;

    /// <summary>The settings it was declared with (before any configured override).</summary>
    public TOptions Options { get; } = options;

    public string Section => rules.Section;

    public void Reconfigure(ResilienceOptions? options) => rules.Reconfigure(Instance, rules.Effective(options, Name, Options));
}

/// <summary>
/// Every instance of a registry in one map keyed by kind and name. Lookups take no lock; additions are made by the
/// registry under its creation lock, so an instance is created once. Nothing is ever removed.
/// </summary>
internal sealed class InstanceMap
{
    private readonly ConcurrentDictionary<InstanceId, IRegisteredInstance> _entries = new();

    /// <summary>The instance of <paramref name="kind"/> named <paramref name="name"/>, if registered.</summary>
    public bool TryGet(InstanceKind kind, string name, [NotNullWhen(true)] out IRegisteredInstance? entry)
        => _entries.TryGetValue(new InstanceId(kind, name), out entry);

    /// <summary>The registration of <paramref name="name"/> in the kind of <paramref name="rules"/>, if registered.</summary>
    public bool TryGet<TInstance, TOptions>(InstanceRules<TInstance, TOptions> rules, string name, [NotNullWhen(true)] out Registration<TInstance, TOptions>? registration)
        where TInstance : class
        where TOptions : class
    {
        registration = _entries.TryGetValue(new InstanceId(rules.Kind, name), out IRegisteredInstance? entry)
            ? (Registration<TInstance, TOptions>)entry
            : null;
        return registration is not null;
    }

    /// <summary>Adds <paramref name="entry"/>; call under the registry's creation lock, after <see cref="TryGet"/> found nothing.</summary>
    public void Add(IRegisteredInstance entry)
    {
        if (!_entries.TryAdd(new InstanceId(entry.Kind, entry.Name), entry))
        {
            throw new InvalidOperationException($"The {entry.Kind} '{entry.Name}' is already registered (add under the creation lock only).");
        }
    }

    /// <summary>The registrations of one kind, in no particular order.</summary>
    public List<Registration<TInstance, TOptions>> OfKind<TInstance, TOptions>(InstanceRules<TInstance, TOptions> rules)
        where TInstance : class
        where TOptions : class
    {
        var registrations = new List<Registration<TInstance, TOptions>>();
        foreach (KeyValuePair<InstanceId, IRegisteredInstance> pair in _entries)
        {
            if (pair.Key.Kind == rules.Kind)
            {
                registrations.Add((Registration<TInstance, TOptions>)pair.Value);
            }
        }

        return registrations;
    }

    /// <summary>The names of one kind's instances, sorted ordinally.</summary>
    public string[] SortedNames(InstanceKind kind)
    {
        var names = new List<string>();
        foreach (KeyValuePair<InstanceId, IRegisteredInstance> pair in _entries)
        {
            if (pair.Key.Kind == kind)
            {
                names.Add(pair.Key.Name);
            }
        }

        names.Sort(StringComparer.Ordinal);
        return [.. names];
    }

    /// <summary>Every instance, by kind (in <see cref="InstanceKind"/>'s order) then name: the order a reload works in.</summary>
    public List<IRegisteredInstance> All()
    {
        var all = new List<IRegisteredInstance>(_entries.Count);
        foreach (KeyValuePair<InstanceId, IRegisteredInstance> pair in _entries)
        {
            all.Add(pair.Value);
        }

        all.Sort(static (a, b) => a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind) : string.CompareOrdinal(a.Name, b.Name));
        return all;
    }

    private readonly record struct InstanceId(InstanceKind Kind, string Name);
}
