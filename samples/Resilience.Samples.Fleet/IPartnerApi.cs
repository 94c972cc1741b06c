namespace Resilience.Samples.Fleet;

/// <summary>A partner API that allows 20 calls per second from all of our instances together.</summary>
public interface IPartnerApi
{
    // The attribute is the same as for a local limit. What makes it fleet-wide is the opt-in by name in Program.cs
    // (AddResilienceRedis(...).AddRateLimit("Fleet.PartnerApi")), or in configuration:
    // "Resilience:Instances:Fleet.PartnerApi:RateLimit:Backend": "Redis".
    [RateLimit(Name = "Fleet.PartnerApi", PermitLimit = 20, WindowMs = 1_000)]
    Task<string> GetQuoteAsync(string symbol);
}

/// <summary>Stands in for the partner: answers at once; the shared limit is what this sample shows.</summary>
public sealed class PartnerApi : IPartnerApi
{
    public Task<string> GetQuoteAsync(string symbol) => Task.FromResult($"{symbol}: 42.00");
}
