namespace Resilience.Generator.Helpers;

/// <summary>Names of the generator's tracked pipeline steps, asserted by the cacheability tests.</summary>
internal static class TrackingNames
{
    public const string RetryInterfaces = nameof(RetryInterfaces);
    public const string CircuitBreakerInterfaces = nameof(CircuitBreakerInterfaces);
    public const string RateLimitInterfaces = nameof(RateLimitInterfaces);
    public const string BulkheadInterfaces = nameof(BulkheadInterfaces);
    public const string TimeoutInterfaces = nameof(TimeoutInterfaces);
    public const string FallbackInterfaces = nameof(FallbackInterfaces);
    public const string CacheFallbackInterfaces = nameof(CacheFallbackInterfaces);
    public const string HedgeInterfaces = nameof(HedgeInterfaces);
    public const string AllInterfaces = nameof(AllInterfaces);
    public const string Interfaces = nameof(Interfaces);
    public const string CompilationFeatures = nameof(CompilationFeatures);
    public const string Output = nameof(Output);
    public const string RegistrationSites = nameof(RegistrationSites);
    public const string ClosedGenericRegistrations = nameof(ClosedGenericRegistrations);

    /// <summary>Every tracked step; their outputs must be equatable (models, or null where a node is not its interface's representative).</summary>
    public static readonly string[] All =
    {
        RetryInterfaces, CircuitBreakerInterfaces, RateLimitInterfaces, BulkheadInterfaces, TimeoutInterfaces,
        FallbackInterfaces, CacheFallbackInterfaces, AllInterfaces, Interfaces, CompilationFeatures, Output,
        RegistrationSites, ClosedGenericRegistrations, HedgeInterfaces,
    };
}
