using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Binding;

/// <summary>
/// Something the binder found wrong with the user's code, ready to become a <see cref="Diagnostic"/>: the descriptor,
/// where, and the message arguments. Problems are collected only when an analyzer runs the binder
/// (<see cref="InterfaceBinder.Bind"/> with problems on); they never enter the generator's incremental model, which
/// is why they may hold a <see cref="Location"/>.
/// </summary>
internal sealed class Problem
{
    public Problem(DiagnosticDescriptor descriptor, Location location, IEnumerable<Location>? additionalLocations, object?[] arguments)
    {
        Descriptor = descriptor;
        Location = location;
        AdditionalLocations = additionalLocations;
        Arguments = arguments;
    }

    public DiagnosticDescriptor Descriptor { get; }

    public Location Location { get; }

    public IEnumerable<Location>? AdditionalLocations { get; }

    public object?[] Arguments { get; }

    public Diagnostic ToDiagnostic() => Diagnostic.Create(Descriptor, Location, AdditionalLocations, Arguments);
}

/// <summary>Where the binder puts problems: a list when an analyzer asked for them, nothing when the generator binds.</summary>
internal sealed class Problems
{
    private readonly List<Problem>? _list;

    private Problems(List<Problem>? list) => _list = list;

    /// <summary>Problems are dropped (the generator: it only needs the model).</summary>
    public static Problems None => new(null);

    /// <summary>Problems are kept (an analyzer).</summary>
    public static Problems Collect() => new(new List<Problem>());

    /// <summary>Whether problems are kept; when not, the binder skips the work of describing them.</summary>
    public bool IsCollecting => _list is not null;

    public IReadOnlyList<Problem> List => _list ?? (IReadOnlyList<Problem>)System.Array.Empty<Problem>();

    public void Add(DiagnosticDescriptor descriptor, Location location, params object?[] arguments)
        => _list?.Add(new Problem(descriptor, location, null, arguments));

    public void Add(DiagnosticDescriptor descriptor, Location location, IEnumerable<Location> additionalLocations, params object?[] arguments)
        => _list?.Add(new Problem(descriptor, location, additionalLocations, arguments));
}
