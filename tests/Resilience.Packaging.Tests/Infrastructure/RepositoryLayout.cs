namespace Resilience.Packaging.Tests.Infrastructure;

/// <summary>Finds the repository and copies what packing the runtime and Resilience.Http needs into an isolated folder.</summary>
internal static class RepositoryLayout
{
    public const string SolutionFileName = "Resilience.Generator.sln";

    public const string RuntimeProject = "src/Resilience.Runtime/Resilience.Runtime.csproj";

    public const string AspNetCoreProject = "src/Resilience.AspNetCore/Resilience.AspNetCore.csproj";
    public const string HttpProject = "src/Resilience.Http/Resilience.Http.csproj";
    public const string RedisProject = "src/Resilience.Redis/Resilience.Redis.csproj";

    public const string TestingProject = "src/Resilience.Testing/Resilience.Testing.csproj";

    public const string CachingProject = "src/Resilience.Caching/Resilience.Caching.csproj";

    /// <summary>Files at the repository root that packing <c>src/</c> reads.</summary>
    private static readonly string[] RequiredRootFiles = ["Directory.Build.props", "Directory.Packages.props", "global.json", "README.md"];

    /// <summary>Root files copied when present, so the copy builds as the repository does.</summary>
    private static readonly string[] OptionalRootFiles = [".editorconfig", "NuGet.config", "nuget.config", "LICENSE"];

    /// <summary>Walks up from the test's output folder to the folder that holds the solution file.</summary>
    public static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, SolutionFileName)))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No folder above '{AppContext.BaseDirectory}' holds {SolutionFileName}; run the tests from a clone of the repository.");
    }

    /// <summary>
    /// Copies <c>src/</c> (without <c>bin/</c> and <c>obj/</c>), <c>docs/</c> (the package ships it) and the root build
    /// files into <paramref name="destination"/>, so that packing does not share output folders with a solution build
    /// running at the same time.
    /// </summary>
    public static void CopyForPacking(string root, string destination)
    {
        CopyDirectory(System.IO.Path.Combine(root, "src"), System.IO.Path.Combine(destination, "src"));
        CopyDirectory(System.IO.Path.Combine(root, "docs"), System.IO.Path.Combine(destination, "docs")); // Resilience.Http's readme is docs/http.md
        foreach (var file in RequiredRootFiles)
        {
            File.Copy(System.IO.Path.Combine(root, file), System.IO.Path.Combine(destination, file));
        }

        foreach (var file in OptionalRootFiles)
        {
            var source = System.IO.Path.Combine(root, file);
            if (File.Exists(source))
            {
                File.Copy(source, System.IO.Path.Combine(destination, file), overwrite: true);
            }
        }
    }

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, System.IO.Path.Combine(destination, System.IO.Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(source))
        {
            var name = System.IO.Path.GetFileName(directory);
            if (name is "bin" or "obj" || name.StartsWith('.'))
            {
                continue;
            }

            CopyDirectory(directory, System.IO.Path.Combine(destination, name));
        }
    }
}
