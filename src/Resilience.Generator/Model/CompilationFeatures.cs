using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Resilience.Generator.Model;

/// <summary>What the consuming compilation offers, read once per compilation.</summary>
/// <param name="SupportsModuleInitializer">Whether <c>ModuleInitializerAttribute</c> exists, so DI registration can be emitted.</param>
/// <param name="SupportsPoolingValueTaskBuilder">
/// Whether <c>PoolingAsyncValueTaskMethodBuilder&lt;T&gt;</c> exists (.NET 6+), so the private core of a <c>Task&lt;T&gt;</c>
/// or <c>Task</c> method can reuse its state machine box.
/// </param>
/// <param name="SupportsConfigureAwaitOptions">
/// Whether <c>ConfigureAwaitOptions</c> exists (.NET 8+), so a faulted inner task can be awaited without rethrowing.
/// </param>
/// <param name="SupportsOpenGenericRegistration">
/// Whether <c>FromKeyedServicesAttribute</c> (Microsoft.Extensions.DependencyInjection 8+) and
/// <c>ResilientProxyFactory.RegisterOpenGeneric</c> exist, so a generic decorator can be registered as an open generic:
/// its <c>inner</c> parameter is then resolved under <c>ResilientProxyFactory.InnerServiceKey</c>.
/// </param>
/// <param name="SupportsProxyTaskBuilder">
/// Whether the runtime has <c>ProxyTaskMethodBuilder</c> and the language allows a builder on a method (C# 10+), so the
/// private core of a <c>Task&lt;T&gt;</c> or <c>Task</c> method is the task handed to the caller: one allocation on the
/// asynchronous path, none on a synchronous success. Otherwise the core returns a pooled <c>ValueTask</c> of the task.
/// </param>
internal sealed record CompilationFeatures(
    bool SupportsModuleInitializer,
    bool SupportsPoolingValueTaskBuilder = false,
    bool SupportsConfigureAwaitOptions = false,
    bool SupportsOpenGenericRegistration = false,
    bool SupportsProxyTaskBuilder = false)
{
    /// <summary>Reads the features of <paramref name="compilation"/>.</summary>
    public static CompilationFeatures From(Compilation compilation) => new(
        compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.ModuleInitializerAttribute") is not null,
        compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder`1") is not null,
        compilation.GetTypeByMetadataName("System.Threading.Tasks.ConfigureAwaitOptions") is not null,
        compilation.GetTypeByMetadataName("Microsoft.Extensions.DependencyInjection.FromKeyedServicesAttribute") is not null
            && compilation.GetTypeByMetadataName("Resilience.ResilientProxyFactory") is { } factory
            && !factory.GetMembers("RegisterOpenGeneric").IsEmpty
            && !factory.GetMembers("InnerServiceKey").IsEmpty,
        compilation is CSharpCompilation { LanguageVersion: >= LanguageVersion.CSharp10 }
            && compilation.GetTypeByMetadataName("Resilience.ProxyTaskMethodBuilder`1") is not null
            && compilation.GetTypeByMetadataName("Resilience.ProxyTaskMethodBuilder") is not null);
}
