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

    public void Dispose() => _workspace.Dispose();

    private string WriteConsumerProject()
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

        var projectDirectory = _workspace.Combine("PackageConsumer");
        Directory.CreateDirectory(projectDirectory);
        var project = Path.Combine(projectDirectory, "PackageConsumer.csproj");
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
                <PackageReference Include="{PackedPackage.PackageId}" Version="{_package.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(projectDirectory, "Program.cs"), ProgramSource);
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
    private void RemoveFromGlobalPackagesFolder()
    {
        var assetsPath = AssetsFilePath();
        if (!File.Exists(assetsPath))
        {
            return;
        }

        using var assets = JsonDocument.Parse(File.ReadAllText(assetsPath));
        if (!assets.RootElement.TryGetProperty("packageFolders", out var folders))
        {
            return;
        }

        foreach (var folder in folders.EnumerateObject())
        {
            var packageRoot = Path.Combine(folder.Name, PackedPackage.PackageId.ToLowerInvariant());
            TempDirectory.DeleteQuietly(Path.Combine(packageRoot, _package.Version.ToLowerInvariant()));
            try
            {
                if (Directory.Exists(packageRoot) && !Directory.EnumerateFileSystemEntries(packageRoot).Any())
                {
                    Directory.Delete(packageRoot);
                }
            }
            catch (IOException)
            {
                // Another run extracted a version in the meantime; leave the folder.
            }
        }
    }

    private string AssetsFilePath() => _workspace.Combine("PackageConsumer", "obj", "project.assets.json");
}
