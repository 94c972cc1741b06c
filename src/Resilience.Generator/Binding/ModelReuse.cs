using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Resilience.Generator.Model;

namespace Resilience.Generator.Binding;

/// <summary>
/// Reuses interface models from one compilation in the next when the two declare exactly the same things: an edit
/// inside a method body, which most keystrokes are, changes no symbol, so every interface binds to the same model.
/// Roslyn runs every attributed node's transform again on each new compilation (only its syntax filter is
/// incremental), so without this each keystroke would bind all interfaces of the project again.
/// </summary>
/// <remarks>
/// <para>
/// Two compilations declare the same things when they have the same assembly name, options and references (each the
/// same object or equal), and the same syntax trees in the same order, each either the very same tree or one with the
/// same path and parse options that Roslyn finds equivalent at the top level
/// (<see cref="SyntaxTree.IsEquivalentTo(SyntaxTree, bool)"/>: everything but method bodies and the initializers of
/// fields that are not <c>const</c>) and that has the same preprocessor directives, compared here too (a
/// <c>#nullable</c> line, even inside a method body, changes the annotations of the declarations after it).
/// </para>
/// <para>
/// One instance per generator instance (each driver gets its own). It remembers what the last few compilations
/// declared (their trees, references and options: see <see cref="Snapshot"/>), never a compilation, so a previous
/// compilation collected meanwhile still lends its models. Models hold no compiler object. Thread-safe.
/// </para>
/// </remarks>
internal sealed class ModelReuse
{
    private const int Remembered = 4;

    private readonly object _gate = new();
    private readonly ConditionalWeakTable<Compilation, Models> _byCompilation = new();
    private readonly Snapshot?[] _recent = new Snapshot?[Remembered];
    private int _next;
    private int _bindings;

    /// <summary>How many compilations found a predecessor whose models they share (for tests).</summary>
    internal int Reused { get; private set; }

    /// <summary>How many interfaces were bound rather than reused (for tests).</summary>
    internal int Bindings => Volatile.Read(ref _bindings);

    /// <summary>Counts one interface bound (<see cref="Bindings"/>).</summary>
    public void CountBinding() => Interlocked.Increment(ref _bindings);

    /// <summary>The models of <paramref name="compilation"/>: those of a recent compilation that declares the same things, or new ones.</summary>
    public Models For(Compilation compilation, CancellationToken cancellationToken)
    {
        if (_byCompilation.TryGetValue(compilation, out var models))
        {
            return models;
        }

        lock (_gate)
        {
            if (_byCompilation.TryGetValue(compilation, out models))
            {
                return models;
            }

            models = TakeEquivalent(compilation, cancellationToken) ?? new Models();
            _byCompilation.Add(compilation, models);
            _recent[_next] = new Snapshot(compilation, models);
            _next = (_next + 1) % Remembered;
            return models;
        }
    }

    /// <summary>The key of <paramref name="type"/>'s model: its documentation ID; <see langword="null"/> (never reused) for a file-local type, whose ID another file may share.</summary>
    public static string? KeyOf(INamedTypeSymbol type) => type.IsFileLocal ? null : type.GetDocumentationCommentId();

    /// <summary>Whether <paramref name="current"/> declares exactly the same things as <paramref name="previous"/> (see the remarks).</summary>
    private static bool SameDeclarations(Snapshot previous, Compilation current, CancellationToken cancellationToken)
    {
        if (previous.Language != current.Language
            || !string.Equals(previous.AssemblyName, current.AssemblyName, StringComparison.Ordinal)
            || !previous.Options.Equals(current.Options)
            || !previous.References.SequenceEqual(current.References))
        {
            return false;
        }

        var index = 0;
        foreach (var tree in current.SyntaxTrees)
        {
            if (index == previous.Trees.Length || !SameDeclarations(previous.Trees[index], tree, cancellationToken))
            {
                return false;
            }

            index++;
        }

        return index == previous.Trees.Length;
    }

    private static bool SameDeclarations(SyntaxTree before, SyntaxTree after, CancellationToken cancellationToken)
    {
        if (ReferenceEquals(before, after))
        {
            return true;
        }

        cancellationToken.ThrowIfCancellationRequested();
        return string.Equals(before.FilePath, after.FilePath, StringComparison.Ordinal)
            && before.Options.Equals(after.Options)
            && before.IsEquivalentTo(after, topLevel: true)
            && Directives(before, cancellationToken).SequenceEqual(Directives(after, cancellationToken), StringComparer.Ordinal);
    }

    private static IEnumerable<string> Directives(SyntaxTree tree, CancellationToken cancellationToken)
    {
        if (tree.GetRoot(cancellationToken) is not CSharpSyntaxNode root)
        {
            yield return "(not C#: " + tree.FilePath + ")";
            yield break;
        }

        for (var directive = root.GetFirstDirective(); directive is not null; directive = directive.GetNextDirective())
        {
            yield return directive.ToString();
        }
    }

    /// <summary>
    /// The models of the newest remembered compilation that declares the same things as <paramref name="compilation"/>;
    /// its snapshot is dropped (the caller remembers <paramref name="compilation"/> in its place, so that the next
    /// edit is compared with this one).
    /// </summary>
    private Models? TakeEquivalent(Compilation compilation, CancellationToken cancellationToken)
    {
        for (var i = 1; i <= Remembered; i++)
        {
            var slot = (_next - i + Remembered) % Remembered;
            if (_recent[slot] is { } previous && SameDeclarations(previous, compilation, cancellationToken))
            {
                _recent[slot] = null;
                Reused++;
                return previous.Models;
            }
        }

        return null;
    }

    /// <summary>
    /// What a compilation declares, as far as the comparison needs: its trees, references and options, not the
    /// compilation itself (which holds every symbol bound in it). The trees and references are those the editor holds
    /// for its current compilation anyway.
    /// </summary>
    private sealed class Snapshot
    {
        public Snapshot(Compilation compilation, Models models)
        {
            Language = compilation.Language;
            AssemblyName = compilation.AssemblyName;
            Options = compilation.Options;
            References = compilation.References.ToArray();
            Trees = compilation.SyntaxTrees.ToArray();
            Models = models;
        }

        public string Language { get; }

        public string? AssemblyName { get; }

        public CompilationOptions Options { get; }

        public MetadataReference[] References { get; }

        public SyntaxTree[] Trees { get; }

        public Models Models { get; }
    }

    /// <summary>The models bound in one or more compilations that declare the same things, by <see cref="KeyOf"/>.</summary>
    internal sealed class Models
    {
        private readonly ConcurrentDictionary<string, InterfaceModel?> _byKey = new(StringComparer.Ordinal);

        public bool TryGet(string key, out InterfaceModel? model) => _byKey.TryGetValue(key, out model);

        public void Add(string key, InterfaceModel? model) => _byKey.TryAdd(key, model);
    }
}
