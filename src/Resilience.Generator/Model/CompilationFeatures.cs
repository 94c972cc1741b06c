namespace Resilience.Generator.Model;

/// <summary>What the consuming compilation offers, read once per compilation.</summary>
/// <param name="SupportsModuleInitializer">Whether <c>ModuleInitializerAttribute</c> exists, so DI registration can be emitted.</param>
internal sealed record CompilationFeatures(bool SupportsModuleInitializer);
