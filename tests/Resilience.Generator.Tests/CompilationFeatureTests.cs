using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Resilience.Generator.Emitting;
using Resilience.Generator.Model;
using Resilience.Generator.Binding;
using Resilience.Generator.Tests.Infrastructure;

namespace Resilience.Generator.Tests;

/// <summary>
/// What the emitter writes depends on the consuming compilation: pooled Task&lt;T&gt; cores (.NET 6+) and awaiting a task
/// without throwing (.NET 8+). Both shapes must compile cleanly.
/// </summary>
public sealed class CompilationFeatureTests
{
    private const string Source = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Resilience;

        namespace A;

        [CircuitBreaker]
        public interface IStore
        {
            [Retry(AttemptTimeoutMs = 100)] [Timeout(1_000)] [Fallback(nameof(Recover))]
            Task<int> CountAsync(string filter, CancellationToken cancellationToken);

            [Retry] [Timeout(1_000)]
            Task RunAsync();

            [Retry] [CacheFallback]
            ValueTask<string> LoadAsync(string id, CancellationToken cancellationToken);

            int Recover(Exception error);
        }
        """;

    [Fact]
    public void Features_are_read_from_the_compilation()
    {
        var features = CompilationFeatures.From(GeneratorHarness.CreateCompilation(Source));
        Assert.Equal(new CompilationFeatures(true, true, true, SupportsOpenGenericRegistration: true, SupportsProxyTaskBuilder: true), features);
    }

    [Fact]
    public void Before_CSharp_10_a_method_cannot_name_its_builder_so_task_cores_keep_the_pooled_value_task()
    {
        var compilation = GeneratorHarness.CreateCompilation(Source);
        compilation = compilation.WithReferences(compilation.References)
            .RemoveAllSyntaxTrees()
            .AddSyntaxTrees(compilation.SyntaxTrees.Select(t => t.WithRootAndOptions(t.GetRoot(), GeneratorHarness.ParseOptions.WithLanguageVersion(LanguageVersion.CSharp9))));

        Assert.False(CompilationFeatures.From(compilation).SupportsProxyTaskBuilder);
    }

    [Fact]
    public void With_the_proxy_task_builder_the_core_is_the_callers_task()
    {
        var text = Emit(new CompilationFeatures(true, true, true, SupportsProxyTaskBuilder: true), out var problems);
        Assert.Empty(problems);
        Assert.Contains("[global::System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(global::Resilience.ProxyTaskMethodBuilder<>))]", GeneratedSyntax.Unwrapped(text));
        Assert.DoesNotContain("PoolingAsyncValueTaskMethodBuilder", GeneratedSyntax.Unwrapped(text));
        Assert.DoesNotContain("Unwrap", GeneratedSyntax.Unwrapped(text));
    }

    [Fact]
    public void With_both_features_task_cores_are_pooled_and_tasks_are_awaited_without_throwing()
    {
        var text = Emit(new CompilationFeatures(true, true, true), out var problems);
        Assert.Empty(problems);
        Assert.Contains("[global::System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(global::System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]", GeneratedSyntax.Unwrapped(text));
        // Under a timeout a pending task is raced against the deadline, still without throwing.
        Assert.Contains("await global::Resilience.GeneratedCodeHelpers.WhenCompletedOrCanceled(__task, __attemptScope.Token).ConfigureAwait(global::System.Threading.Tasks.ConfigureAwaitOptions.SuppressThrowing);", GeneratedSyntax.Unwrapped(text));
        Assert.Contains("await global::Resilience.GeneratedCodeHelpers.WhenCompletedOrCanceled(__task, __timeout.Token).ConfigureAwait(global::System.Threading.Tasks.ConfigureAwaitOptions.SuppressThrowing);", GeneratedSyntax.Unwrapped(text));
        Assert.DoesNotContain("await __task.ConfigureAwait(false);", GeneratedSyntax.Unwrapped(text));
    }

    [Fact]
    public void Without_them_cores_use_the_default_builder_and_a_pending_task_is_awaited_in_a_try()
    {
        var text = Emit(new CompilationFeatures(true, false, false), out var problems);
        Assert.Empty(problems);
        Assert.DoesNotContain("PoolingAsyncValueTaskMethodBuilder", GeneratedSyntax.Unwrapped(text));
        Assert.DoesNotContain("ConfigureAwaitOptions", GeneratedSyntax.Unwrapped(text));
        Assert.Equal(2, CountOf(GeneratedSyntax.Unwrapped(text), "await __task.ConfigureAwait(false);"));

        // A completed task's failure is still read without a throw.
        Assert.Equal(2, CountOf(GeneratedSyntax.Unwrapped(text), "__error = global::Resilience.GeneratedCodeHelpers.GetException(__task);"));
    }

    private static string Emit(CompilationFeatures features, out IReadOnlyList<Diagnostic> problems)
    {
        var compilation = GeneratorHarness.CreateCompilation(Source);
        var type = compilation.GetTypeByMetadataName("A.IStore")!;
        var model = InterfaceBinder.BindModel(type, compilation, CancellationToken.None)!;
        var text = ResilientClassEmitter.Emit(model, features, "1.0.0.0");
        var output = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions, path: "Generated.cs"));
        problems = GeneratorHarness.Problems(output);
        return text;
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
