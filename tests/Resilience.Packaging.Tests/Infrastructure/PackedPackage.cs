using System.Text.Json;
using System.Globalization;

namespace Resilience.Packaging.Tests.Infrastructure;

/// <summary>
/// Packs a copy of the runtime project, and of the HTTP, Redis and ASP.NET Core packages beside it, once for the whole
/// <see cref="PackagingCollection"/>, with a version no other run has used (so the global package cache can never
/// serve a stale copy), into a temporary feed folder.
/// </summary>
public sealed class PackedPackage : IDisposable
{
    public const string PackageId = "Resilience.Generator";

    public const string AspNetCorePackageId = "Resilience.AspNetCore";
    /// <summary>The HTTP package, packed beside the runtime into the same feed.</summary>
    public const string HttpPackageId = "Resilience.Http";
    /// <summary>The Redis package, packed beside the runtime into the same feed.</summary>
    public const string RedisPackageId = "Resilience.Redis";

    /// <summary>The testing kit, packed beside the runtime into the same feed.</summary>
    public const string TestingPackageId = "Resilience.Testing";

    /// <summary>The shared stale cache package, packed beside the runtime into the same feed.</summary>
    public const string CachingPackageId = "Resilience.Caching";

    private readonly TempDirectory _workspace = new("packaging");
    private readonly Lazy<Task<string>> _pack;

    public PackedPackage()
    {
        RepositoryRoot = RepositoryLayout.FindRoot();
        Version = string.Create(
            CultureInfo.InvariantCulture,
            $"0.0.0-test.{DateTime.UtcNow:yyyyMMdd'T'HHmmss}{Guid.NewGuid().ToString("N")[..6]}");
        FeedDirectory = _workspace.Combine("feed");
        _pack = new Lazy<Task<string>>(PackAsync);
    }

    public string RepositoryRoot { get; }

    /// <summary>The unique version the package was packed with.</summary>
    public string Version { get; }

    /// <summary>A folder that serves as a local NuGet feed holding only this package.</summary>
    public string FeedDirectory { get; }

    public string PackagePath => Path.Combine(FeedDirectory, $"{PackageId}.{Version}.nupkg");

    public string SymbolPackagePath => Path.Combine(FeedDirectory, $"{PackageId}.{Version}.snupkg");

    public string AspNetCorePackagePath => Path.Combine(FeedDirectory, $"{AspNetCorePackageId}.{Version}.nupkg");

    public string AspNetCoreSymbolPackagePath => Path.Combine(FeedDirectory, $"{AspNetCorePackageId}.{Version}.snupkg");

    /// <summary>Packs on first use (as <see cref="EnsurePackedAsync"/>) and returns the ASP.NET Core package's .nupkg path.</summary>
    public async Task<string> EnsureAspNetCorePackedAsync()
    {
        await EnsurePackedAsync();
        return AspNetCorePackagePath;
    }
    public string HttpPackagePath => Path.Combine(FeedDirectory, $"{HttpPackageId}.{Version}.nupkg");

    public string HttpSymbolPackagePath => Path.Combine(FeedDirectory, $"{HttpPackageId}.{Version}.snupkg");

    public string TestingPackagePath => Path.Combine(FeedDirectory, $"{TestingPackageId}.{Version}.nupkg");

    public string RedisPackagePath => Path.Combine(FeedDirectory, $"{RedisPackageId}.{Version}.nupkg");

    public string RedisSymbolPackagePath => Path.Combine(FeedDirectory, $"{RedisPackageId}.{Version}.snupkg");

    public string CachingPackagePath => Path.Combine(FeedDirectory, $"{CachingPackageId}.{Version}.nupkg");

    public string CachingSymbolPackagePath => Path.Combine(FeedDirectory, $"{CachingPackageId}.{Version}.snupkg");

    /// <summary>The pack command's result, once it ran; for assertion messages.</summary>
    internal ProcessResult? PackResult { get; private set; }

    /// <summary>Packs on first use (later calls reuse the result) and returns the .nupkg path; throws with the CLI output if packing failed.</summary>
    public Task<string> EnsurePackedAsync() => _pack.Value;

    public void Dispose() => _workspace.Dispose();

    private async Task<string> PackAsync()
    {
        var copy = _workspace.Combine("repo");
        RepositoryLayout.CopyForPacking(RepositoryRoot, copy);

        foreach (var project in new[] { RepositoryLayout.RuntimeProject, RepositoryLayout.HttpProject, RepositoryLayout.TestingProject, RepositoryLayout.RedisProject, RepositoryLayout.CachingProject })
        {
            string[] arguments =
            [
                "pack", Path.Combine(copy, project),
                "-c", "Release",
                "-o", FeedDirectory,
                $"-p:Version={Version}",
                .. DotNetCli.NoServers,
            ];
            var result = await DotNetCli.RunAsync(copy, arguments);
            PackResult = result;
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"Packing {project} failed.\n" + result);
            }
        }

        // The ASP.NET Core package depends on the runtime package of the same version (its project reference).
        string[] aspNetCoreArguments =
        [
            "pack", Path.Combine(copy, RepositoryLayout.AspNetCoreProject),
            "-c", "Release",
            "-o", FeedDirectory,
            $"-p:Version={Version}",
            .. DotNetCli.NoServers,
        ];
        var aspNetCoreResult = await DotNetCli.RunAsync(copy, aspNetCoreArguments);
        if (!aspNetCoreResult.Succeeded || !File.Exists(AspNetCorePackagePath))
        {
            throw new InvalidOperationException(
                $"Packing {AspNetCorePackageId} failed; the feed holds [{string.Join(", ", ListFeed())}].\n{aspNetCoreResult}");
        }

        if (!File.Exists(PackagePath))
        {
            throw new InvalidOperationException(
                $"Packing succeeded but {PackagePath} is missing; the feed holds [{string.Join(", ", ListFeed())}].\n{PackResult}");
        }

        return PackagePath;
    }

    /// <summary>
    /// Deletes this run's extracted copy of <paramref name="packageId"/> from every packages folder that the consumer's
    /// <paramref name="assetsPath"/> names (each run packs a new version, so nothing else would ever remove it).
    /// </summary>
    public void RemoveFromGlobalPackagesFolder(string assetsPath, string packageId)
    {
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
            var packageRoot = Path.Combine(folder.Name, packageId.ToLowerInvariant());
            TempDirectory.DeleteQuietly(Path.Combine(packageRoot, Version.ToLowerInvariant()));
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

    /// <summary>File names in the feed folder, sorted.</summary>
    public string[] ListFeed() =>
        Directory.Exists(FeedDirectory)
            ? Directory.GetFiles(FeedDirectory).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray()
            : [];
}

/// <summary>Tests that share one packed package; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PackagingCollection : ICollectionFixture<PackedPackage>
{
    public const string Name = "Packaging";
}
