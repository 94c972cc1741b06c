using System.Text.Json;
using Resilience.Packaging.Tests.Infrastructure;

namespace Resilience.Packaging.Tests;

/// <summary>
/// A brand-new console project that references only the packed package, from a local feed, must compile with
/// warnings as errors (the generator runs from <c>analyzers/</c>) and its generated proxy must retry for real.
/// </summary>
[Collection(PackagingCollection.Name)]
public sealed class PackageConsumerTests : IDisposable
{
    private const string ProgramSource = """
        using Resilience;

        namespace PackageConsumer;

        public interface IFlaky
        {
            [Retry(MaxRetries = 2, DelayMs = 1, Jitter = 0)]
            Task<string> GetAsync(CancellationToken cancellationToken);
        }

        /// <summary>Fails the first <c>failures</c> calls, then answers "ok".</summary>
        public sealed class FlakyService(int failures) : IFlaky
        {
            public int Attempts { get; private set; }

            public Task<string> GetAsync(CancellationToken cancellationToken)
            {
                Attempts++;
                return Attempts <= failures
                    ? Task.FromException<string>(new InvalidOperationException($"transient failure {Attempts}"))
                    : Task.FromResult("ok");
            }
        }

        public static class Program
        {
            public static async Task<int> Main()
            {
                var flaky = new FlakyService(failures: 2);
                IFlaky proxy = new FlakyResilient(flaky);
                var result = await proxy.GetAsync(CancellationToken.None);
                Console.WriteLine($"{result} after {flaky.Attempts} attempts");

                var broken = new FlakyService(failures: int.MaxValue);
                try
                {
                    await new FlakyResilient(broken).GetAsync(CancellationToken.None);
                    Console.WriteLine("broken service unexpectedly succeeded");
                    return 2;
                }
                catch (InvalidOperationException ex)
                {
                    Console.WriteLine($"gave up after {broken.Attempts} attempts: {ex.Message}");
                }

                return result == "ok" && flaky.Attempts == 3 && broken.Attempts == 3 ? 0 : 1;
            }
        }
        """;

    private const string HttpProgramSource = """
        using System.Net;
        using Microsoft.Extensions.DependencyInjection;
        using Resilience;
        using Resilience.Http;

        namespace HttpConsumer;

        public interface IStatusClient
        {
            [Retry(MaxRetries = 2, DelayMs = 0, Jitter = 0, HandleResult = nameof(IsTransient))]
            Task<HttpResponseMessage> GetAsync(CancellationToken cancellationToken);

            static bool IsTransient(HttpResponseMessage response) => HttpOutcomes.IsTransient(response);
        }

        public sealed class StatusClient(HttpClient http) : IStatusClient
        {
            public Task<HttpResponseMessage> GetAsync(CancellationToken cancellationToken) => http.GetAsync("status", cancellationToken);
        }

        /// <summary>Answers 503 to the first request it sees, then 200 (no network needed).</summary>
        public sealed class FirstCallFails : HttpMessageHandler
        {
            public int Calls { get; private set; }

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                Calls++;
                return Task.FromResult(new HttpResponseMessage(Calls == 1 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK));
            }
        }

        public static class Program
        {
            public static async Task<int> Main()
            {
                var typed = new FirstCallFails();
                var named = new FirstCallFails();
                var services = new ServiceCollection();
                services.AddHttpClient<IStatusClient, StatusClient>(c => c.BaseAddress = new Uri("http://consumer.invalid/"))
                    .ConfigurePrimaryHttpMessageHandler(() => typed)
                    .AddResilientDecorator<IStatusClient>();
                services.AddHttpClient("named", c => c.BaseAddress = new Uri("http://consumer.invalid/"))
                    .ConfigurePrimaryHttpMessageHandler(() => named)
                    .AddResilientHandler(call => call.WithRetry(new RetryOptions { MaxRetries = 1, Delay = TimeSpan.Zero, Jitter = 0 }));
                using var provider = services.BuildServiceProvider();

                using var first = await provider.GetRequiredService<IStatusClient>().GetAsync(CancellationToken.None);
                Console.WriteLine($"decorator {(int)first.StatusCode} after {typed.Calls} calls");
                using var second = await provider.GetRequiredService<IHttpClientFactory>().CreateClient("named").GetAsync("status");
                Console.WriteLine($"handler {(int)second.StatusCode} after {named.Calls} calls");
                return first.StatusCode == HttpStatusCode.OK && second.StatusCode == HttpStatusCode.OK ? 0 : 1;
            }
        }
        """;

    private const string TestingProgramSource = """
        using Resilience;
        using Resilience.Testing;

        namespace TestingConsumer;

        [CircuitBreaker(FailureThreshold = 1, Name = "stock")]
        public interface IStock
        {
            Task<int> CountAsync(string sku, CancellationToken cancellationToken);
        }

        public sealed class Stock : IStock
        {
            public Task<int> CountAsync(string sku, CancellationToken cancellationToken) => Task.FromResult(3);
        }

        public static class Program
        {
            public static async Task<int> Main()
            {
                using var kit = new ResilienceTestKit();
                kit.SetBreakerState("stock", CircuitState.Isolated);
                IStock stock = new StockResilient(new Stock(), kit.Registry);
                bool rejected = false;
                try { await stock.CountAsync("book", CancellationToken.None); } catch (BrokenCircuitException) { rejected = true; }

                kit.Registry.TryGetCircuitBreaker("stock", out var breaker);
                breaker!.Reset();
                using (kit.InjectFault("stock", () => new TimeoutException("injected")))
                {
                    try { await stock.CountAsync("book", CancellationToken.None); } catch (TimeoutException) { }
                }

                Console.WriteLine($"rejected {rejected}, calls {kit.Recorder["stock"].Calls}, injections {kit.Recorder["stock"].ChaosInjections}, state {breaker.State}");
                return 0;
            }
        }
        """;

    private const string RedisProgramSource = """
        using System.Diagnostics.Metrics;
        using Microsoft.Extensions.DependencyInjection;
        using Resilience;
        using Resilience.Redis;

        namespace RedisConsumer;

        public interface IQuotes
        {
            [RateLimit(Name = "Consumer.Quotes", PermitLimit = 3, WindowMs = 600_000)]
            Task<int> GetAsync();
        }

        public sealed class Quotes : IQuotes
        {
            public Task<int> GetAsync() => Task.FromResult(42);
        }

        public static class Program
        {
            // Two containers (as two instances of a service) share the limit on the Redis given as the argument.
            public static async Task<int> Main(string[] args)
            {
                long available = 0;
                using var listener = new MeterListener();
                listener.InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Meter.Name == "Resilience.Redis" && instrument.Name == "resilience.redis.available")
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                };
                listener.SetMeasurementEventCallback<int>((_, value, _, _) => Interlocked.Add(ref available, value));
                listener.Start();

                var providers = new List<ServiceProvider>();
                for (int i = 0; i < 2; i++)
                {
                    var services = new ServiceCollection();
                    services.AddResilient<IQuotes, Quotes>(ServiceLifetime.Singleton);
                    services.AddResilienceRedis(o => o.Configuration = args[0]).AddRateLimit("Consumer.Quotes");
                    providers.Add(services.BuildServiceProvider());
                }

                var quotes = providers.Select(p => p.GetRequiredService<IQuotes>()).ToArray();
                for (int waited = 0; waited < 1_000; waited++)
                {
                    Interlocked.Exchange(ref available, 0);
                    listener.RecordObservableInstruments();
                    if (Interlocked.Read(ref available) == 2)
                    {
                        break;
                    }

                    await Task.Delay(20);
                }

                int admitted = 0;
                for (int i = 0; i < 6; i++)
                {
                    try
                    {
                        await quotes[i % 2].GetAsync();
                        admitted++;
                    }
                    catch (RateLimitRejectedException)
                    {
                    }
                }

                Console.WriteLine($"shared {admitted} of 6");
                foreach (var provider in providers)
                {
                    await provider.DisposeAsync();
                }

                return admitted == 3 ? 0 : 1;
            }
        }
        """;

    private const string CachingProgramSource = """
        using System.Collections.Concurrent;
        using System.Text.Json.Serialization;
        using Microsoft.Extensions.Caching.Distributed;
        using Resilience;
        using Resilience.Caching;

        namespace CachingConsumer;

        public sealed record Rates(string Base, decimal Euro);

        [JsonSerializable(typeof(Rates))]
        public sealed partial class ConsumerJson : JsonSerializerContext;

        public interface IRates
        {
            [CacheFallback(StaleTtlMs = 60_000)]
            Task<Rates> GetAsync(string baseCurrency, CancellationToken cancellationToken);
        }

        public sealed class RatesService(bool down) : IRates
        {
            public Task<Rates> GetAsync(string baseCurrency, CancellationToken cancellationToken)
                => down ? Task.FromException<Rates>(new TimeoutException("rates service is down")) : Task.FromResult(new Rates(baseCurrency, 0.9m));
        }

        /// <summary>A distributed cache in memory, standing for Redis between two processes.</summary>
        public sealed class DictionaryCache : IDistributedCache
        {
            private readonly ConcurrentDictionary<string, byte[]> _entries = new();

            public byte[]? Get(string key) => _entries.TryGetValue(key, out var value) ? value : null;

            public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult(Get(key));

            public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => _entries[key] = value;

            public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
            {
                Set(key, value, options);
                return Task.CompletedTask;
            }

            public void Refresh(string key)
            {
            }

            public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

            public void Remove(string key) => _entries.TryRemove(key, out _);

            public Task RemoveAsync(string key, CancellationToken token = default)
            {
                Remove(key);
                return Task.CompletedTask;
            }
        }

        public static class Program
        {
            public static async Task<int> Main()
            {
                var shared = new DictionaryCache();
                var options = new SharedCacheFallbackStoreOptions { TypeInfoResolver = ConsumerJson.Default };
                using var writerStore = new DistributedCacheFallbackStore(shared, options);
                using var readerStore = new DistributedCacheFallbackStore(shared, options);
                for (int i = 0; i < 500 && !(writerStore.IsSharedCacheAvailable && readerStore.IsSharedCacheAvailable); i++)
                {
                    await Task.Delay(10);
                }

                var fresh = await new RatesResilient(new RatesService(down: false), new ResilienceRegistry(null, writerStore)).GetAsync("EUR", CancellationToken.None);
                var stale = await new RatesResilient(new RatesService(down: true), new ResilienceRegistry(null, readerStore)).GetAsync("EUR", CancellationToken.None);
                Console.WriteLine($"stored {fresh.Base} {fresh.Euro}; answered {stale.Base} {stale.Euro} from the shared cache");
                return stale == fresh ? 0 : 1;
            }
        }
        """;

    private readonly PackedPackage _package;
    private readonly TempDirectory _workspace = new("consumer");

    public PackageConsumerTests(PackedPackage package) => _package = package;

    [Fact]
    public async Task New_console_project_builds_against_the_package_and_its_generated_proxy_retries()
    {
        await _package.EnsurePackedAsync();
        var project = WriteConsumerProject();

        var build = await DotNetCli.RunAsync(_workspace.Path, ["build", project, "-c", "Release", .. DotNetCli.NoServers]);
        try
        {
            Assert.True(build.Succeeded, "The consumer project did not build against the packed package.\n" + build);
            AssertRestoredFromPackage();

            var run = await DotNetCli.RunAsync(_workspace.Path, ["run", "--project", project, "-c", "Release", "--no-build"]);
            Assert.True(run.Succeeded, "The consumer program failed.\n" + run);
            var lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.True(
                lines.SequenceEqual(["ok after 3 attempts", "gave up after 3 attempts: transient failure 3"]),
                "Unexpected program output.\n" + run);
        }
        finally
        {
            RemoveFromGlobalPackagesFolder();
        }
    }

    [Fact]
    public async Task New_project_consumes_the_Http_package_beside_the_runtime_package()
    {
        await _package.EnsurePackedAsync();
        var project = WriteConsumerProject("HttpConsumer", HttpProgramSource, PackedPackage.HttpPackageId);

        var build = await DotNetCli.RunAsync(_workspace.Path, ["build", project, "-c", "Release", .. DotNetCli.NoServers]);
        try
        {
            Assert.True(build.Succeeded, "The HTTP consumer project did not build against the packed packages.\n" + build);
            using (var assets = JsonDocument.Parse(File.ReadAllText(AssetsFilePath("HttpConsumer"))))
            {
                var libraries = assets.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToArray();
                Assert.Contains($"{PackedPackage.HttpPackageId}/{_package.Version}", libraries);
                Assert.Contains(libraries, l => l.StartsWith("Microsoft.Extensions.Http/", StringComparison.Ordinal));
                Assert.DoesNotContain(libraries, l => l.StartsWith("Refit", StringComparison.Ordinal));
            }

            var run = await DotNetCli.RunAsync(_workspace.Path, ["run", "--project", project, "-c", "Release", "--no-build"]);
            Assert.True(run.Succeeded, "The HTTP consumer program failed.\n" + run);
            var lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.True(lines.SequenceEqual(["decorator 200 after 2 calls", "handler 200 after 2 calls"]), "Unexpected program output.\n" + run);
        }
        finally
        {
            RemoveFromGlobalPackagesFolder("HttpConsumer", PackedPackage.PackageId);
            RemoveFromGlobalPackagesFolder("HttpConsumer", PackedPackage.HttpPackageId);
        }
    }

    [Fact]
    public async Task New_project_consumes_the_Testing_package_without_a_test_framework()
    {
        await _package.EnsurePackedAsync();
        var project = WriteConsumerProject("TestingConsumer", TestingProgramSource, PackedPackage.TestingPackageId);

        var build = await DotNetCli.RunAsync(_workspace.Path, ["build", project, "-c", "Release", .. DotNetCli.NoServers]);
        try
        {
            Assert.True(build.Succeeded, "The testing-kit consumer did not build against the packed packages.\n" + build);
            using (var assets = JsonDocument.Parse(File.ReadAllText(AssetsFilePath("TestingConsumer"))))
            {
                var libraries = assets.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToArray();
                Assert.Contains($"{PackedPackage.TestingPackageId}/{_package.Version}", libraries);
                Assert.Contains(libraries, l => l.StartsWith("Microsoft.Extensions.TimeProvider.Testing/", StringComparison.Ordinal));
                Assert.DoesNotContain(libraries, l => l.StartsWith("xunit", StringComparison.OrdinalIgnoreCase));
            }

            var run = await DotNetCli.RunAsync(_workspace.Path, ["run", "--project", project, "-c", "Release", "--no-build"]);
            Assert.True(run.Succeeded, "The testing-kit consumer program failed.\n" + run);
            Assert.Equal("rejected True, calls 2, injections 1, state Open", run.StandardOutput.Trim());
        }
        finally
        {
            RemoveFromGlobalPackagesFolder("TestingConsumer", PackedPackage.PackageId);
            RemoveFromGlobalPackagesFolder("TestingConsumer", PackedPackage.TestingPackageId);
        }
    }

    [Fact]
    public async Task New_project_consumes_the_Redis_package_and_two_containers_share_a_limit_on_a_real_server()
    {
        await _package.EnsurePackedAsync();
        var project = WriteConsumerProject("RedisConsumer", RedisProgramSource, PackedPackage.RedisPackageId);
        // The program builds its own containers: the DI implementation, at the repository's version.
        var diVersion = System.Text.RegularExpressions.Regex.Match(
            File.ReadAllText(Path.Combine(_package.RepositoryRoot, "Directory.Packages.props")),
            "Include=\"Microsoft.Extensions.DependencyInjection\" Version=\"([^\"]+)\"").Groups[1].Value;
        File.WriteAllText(project, File.ReadAllText(project).Replace(
            "</ItemGroup>",
            $"  <PackageReference Include=\"Microsoft.Extensions.DependencyInjection\" Version=\"{diVersion}\" />\n  </ItemGroup>",
            StringComparison.Ordinal));

        var build = await DotNetCli.RunAsync(_workspace.Path, ["build", project, "-c", "Release", .. DotNetCli.NoServers]);
        try
        {
            Assert.True(build.Succeeded, "The Redis consumer project did not build against the packed packages.\n" + build);
            using (var assets = JsonDocument.Parse(File.ReadAllText(AssetsFilePath("RedisConsumer"))))
            {
                var libraries = assets.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToArray();
                Assert.Contains($"{PackedPackage.RedisPackageId}/{_package.Version}", libraries);
                Assert.Contains($"{PackedPackage.PackageId}/{_package.Version}", libraries);
                Assert.Contains(libraries, l => l.StartsWith("StackExchange.Redis/", StringComparison.Ordinal));
            }

            await using var server = await Resilience.Tests.Shared.RedisServer.StartAsync();
            var run = await DotNetCli.RunAsync(_workspace.Path, ["run", "--project", project, "-c", "Release", "--no-build", "--", server.ConnectionString]);
            Assert.True(run.Succeeded, "The Redis consumer program failed.\n" + run);
            var lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.True(lines.SequenceEqual(["shared 3 of 6"]), "Unexpected program output.\n" + run);
        }
        finally
        {
            RemoveFromGlobalPackagesFolder("RedisConsumer", PackedPackage.PackageId);
            RemoveFromGlobalPackagesFolder("RedisConsumer", PackedPackage.RedisPackageId);
        }
    }

    [Fact]
    public async Task New_project_consumes_the_Caching_package_and_shares_stale_results_between_two_stores()
    {
        await _package.EnsurePackedAsync();
        var project = WriteConsumerProject("CachingConsumer", CachingProgramSource, PackedPackage.CachingPackageId);

        var build = await DotNetCli.RunAsync(_workspace.Path, ["build", project, "-c", "Release", .. DotNetCli.NoServers]);
        try
        {
            Assert.True(build.Succeeded, "The caching consumer project did not build against the packed packages.\n" + build);
            using (var assets = JsonDocument.Parse(File.ReadAllText(AssetsFilePath("CachingConsumer"))))
            {
                var libraries = assets.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToArray();
                Assert.Contains($"{PackedPackage.CachingPackageId}/{_package.Version}", libraries);
                Assert.Contains(libraries, l => l.StartsWith("Microsoft.Extensions.Caching.Abstractions/", StringComparison.Ordinal));
                Assert.DoesNotContain(libraries, l => l.StartsWith("StackExchange.Redis", StringComparison.Ordinal));
            }

            var run = await DotNetCli.RunAsync(_workspace.Path, ["run", "--project", project, "-c", "Release", "--no-build"]);
            Assert.True(run.Succeeded, "The caching consumer program failed.\n" + run);
            var lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.True(lines.SequenceEqual(["stored EUR 0.9; answered EUR 0.9 from the shared cache"]), "Unexpected program output.\n" + run);
        }
        finally
        {
            RemoveFromGlobalPackagesFolder("CachingConsumer", PackedPackage.PackageId);
            RemoveFromGlobalPackagesFolder("CachingConsumer", PackedPackage.CachingPackageId);
        }
    }

    public void Dispose() => _workspace.Dispose();

    private string WriteConsumerProject() => WriteConsumerProject("PackageConsumer", ProgramSource);

    private string WriteConsumerProject(string name, string source, params string[] extraPackages)
    {
        // Empty build files stop MSBuild from picking up any Directory.*.props/targets above the temp folder.
        File.WriteAllText(_workspace.Combine("Directory.Build.props"), "<Project />\n");
        File.WriteAllText(_workspace.Combine("Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(_workspace.Combine("Directory.Packages.props"), "<Project />\n");
        File.Copy(Path.Combine(_package.RepositoryRoot, "global.json"), _workspace.Combine("global.json"));

        // The local feed is added in front of the machine's configured sources, which are kept (no <clear/>)
        // so that the package's own dependencies resolve from wherever this machine gets packages.
        File.WriteAllText(_workspace.Combine("NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="resilience-packaging-test-feed" value="{_package.FeedDirectory}" />
              </packageSources>
            </configuration>
            """);

        var projectDirectory = _workspace.Combine(name);
        Directory.CreateDirectory(projectDirectory);
        var project = Path.Combine(projectDirectory, name + ".csproj");
        var extraReferences = string.Concat(extraPackages.Select(id => $"\n    <PackageReference Include=\"{id}\" Version=\"{_package.Version}\" />"));
        File.WriteAllText(project, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{PackedPackage.PackageId}" Version="{_package.Version}" />{extraReferences}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(projectDirectory, "Program.cs"), source);
        return project;
    }

    /// <summary>The restore took the packed version and, through it, the runtime's dependencies.</summary>
    private void AssertRestoredFromPackage()
    {
        using var assets = JsonDocument.Parse(File.ReadAllText(AssetsFilePath()));
        var libraries = assets.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToArray();
        var listing = string.Join(", ", libraries);
        Assert.Contains($"{PackedPackage.PackageId}/{_package.Version}", libraries);
        Assert.Contains(libraries, l => l.StartsWith("Microsoft.Extensions.DependencyInjection.Abstractions/", StringComparison.Ordinal));
        Assert.Contains(libraries, l => l.StartsWith("Microsoft.Extensions.Options.ConfigurationExtensions/", StringComparison.Ordinal));
        Assert.True(
            libraries.Any(l => l.StartsWith("System.Threading.RateLimiting/", StringComparison.Ordinal)),
            "System.Threading.RateLimiting did not flow from the package; restored: " + listing);
    }

    /// <summary>
    /// Each run packs a new version, so its extracted copy in the global packages folder is deleted afterwards
    /// rather than left to pile up.
    /// </summary>
    private void RemoveFromGlobalPackagesFolder() => RemoveFromGlobalPackagesFolder("PackageConsumer", PackedPackage.PackageId);

    private void RemoveFromGlobalPackagesFolder(string consumer, string packageId)
        => _package.RemoveFromGlobalPackagesFolder(AssetsFilePath(consumer), packageId);

    private string AssetsFilePath(string consumer = "PackageConsumer") => _workspace.Combine(consumer, "obj", "project.assets.json");
}
