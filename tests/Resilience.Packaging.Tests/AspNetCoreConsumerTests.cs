using System.Text.Json;
using Resilience.Packaging.Tests.Infrastructure;

namespace Resilience.Packaging.Tests;

/// <summary>
/// A brand-new web project that references only <c>Resilience.AspNetCore</c>, from the local feed, must compile with
/// warnings as errors (the runtime package and its generator come along), and over loopback answer an open circuit with
/// 503 and <c>Retry-After</c> and serve the state endpoint.
/// </summary>
[Collection(PackagingCollection.Name)]
public sealed class AspNetCoreConsumerTests : IDisposable
{
    private const string ProgramSource = """
        using System.Net.Http.Json;
        using System.Text.Json;
        using Microsoft.AspNetCore.Hosting.Server;
        using Microsoft.AspNetCore.Hosting.Server.Features;
        using Resilience;
        using Resilience.AspNetCore;

        var builder = WebApplication.CreateSlimBuilder(args);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddResilient<IDownstream, BrokenDownstream>();
        builder.Services.AddResilienceProblemDetails();
        builder.Services.AddHealthChecks().AddResilienceCircuitBreakers();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.MapGet("/", (IDownstream downstream) => downstream.GetAsync());
        app.MapResilienceState();
        app.MapHealthChecks("/health");
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        for (int i = 0; i < 2; i++)
        {
            using var response = await client.GetAsync("/");
            var retryAfter = response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString() ?? "-";
            Console.WriteLine($"{(int)response.StatusCode} {retryAfter}");
        }

        using var state = JsonDocument.Parse(await client.GetStringAsync("/resilience"));
        Console.WriteLine(state.RootElement.GetProperty("circuitBreakers")[0].GetProperty("state").GetString());
        Console.WriteLine(await client.GetStringAsync("/health"));
        await app.StopAsync();

        [CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 30_000, Name = "downstream")]
        public interface IDownstream
        {
            Task<string> GetAsync();
        }

        public sealed class BrokenDownstream : IDownstream
        {
            public Task<string> GetAsync() => Task.FromException<string>(new InvalidOperationException("down"));
        }
        """;

    private readonly PackedPackage _package;
    private readonly TempDirectory _workspace = new("aspnetcore-consumer");

    public AspNetCoreConsumerTests(PackedPackage package) => _package = package;

    [Fact]
    public async Task New_web_project_builds_against_the_package_and_maps_an_open_circuit_to_503_with_Retry_After()
    {
        await _package.EnsureAspNetCorePackedAsync();
        var project = WriteConsumerProject();

        var build = await DotNetCli.RunAsync(_workspace.Path, ["build", project, "-c", "Release", .. DotNetCli.NoServers]);
        try
        {
            Assert.True(build.Succeeded, "The web consumer project did not build against the packed packages.\n" + build);
            using (var assets = JsonDocument.Parse(File.ReadAllText(AssetsFilePath())))
            {
                var libraries = assets.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToArray();
                Assert.Contains($"{PackedPackage.AspNetCorePackageId}/{_package.Version}", libraries);
                Assert.Contains($"{PackedPackage.PackageId}/{_package.Version}", libraries);
            }

            var run = await DotNetCli.RunAsync(_workspace.Path, ["run", "--project", project, "-c", "Release", "--no-build"]);
            Assert.True(run.Succeeded, "The web consumer program failed.\n" + run);
            var lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

            // The failing call is a 500 (not a rejection); it opens the breaker, so the next one is a 503 with Retry-After.
            Assert.True(lines.SequenceEqual(["500 -", "503 30", "open", "Degraded"]), "Unexpected program output.\n" + run);
        }
        finally
        {
            foreach (var id in new[] { PackedPackage.PackageId, PackedPackage.AspNetCorePackageId })
            {
                RemoveFromGlobalPackagesFolder(id);
            }
        }
    }

    public void Dispose() => _workspace.Dispose();

    private string WriteConsumerProject()
    {
        File.WriteAllText(_workspace.Combine("Directory.Build.props"), "<Project />\n");
        File.WriteAllText(_workspace.Combine("Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(_workspace.Combine("Directory.Packages.props"), "<Project />\n");
        File.Copy(Path.Combine(_package.RepositoryRoot, "global.json"), _workspace.Combine("global.json"));
        File.WriteAllText(_workspace.Combine("NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="resilience-packaging-test-feed" value="{_package.FeedDirectory}" />
              </packageSources>
            </configuration>
            """);

        var projectDirectory = _workspace.Combine("WebConsumer");
        Directory.CreateDirectory(projectDirectory);
        var project = Path.Combine(projectDirectory, "WebConsumer.csproj");
        File.WriteAllText(project, $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{PackedPackage.AspNetCorePackageId}" Version="{_package.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(projectDirectory, "Program.cs"), ProgramSource);
        return project;
    }

    private string AssetsFilePath() => _workspace.Combine("WebConsumer", "obj", "project.assets.json");

    /// <summary>Each run packs a new version: its extracted copy in the global packages folder is deleted afterwards.</summary>
    private void RemoveFromGlobalPackagesFolder(string packageId) => _package.RemoveFromGlobalPackagesFolder(AssetsFilePath(), packageId);
}
