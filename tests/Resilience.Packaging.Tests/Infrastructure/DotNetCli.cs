using System.Diagnostics;
using System.Text;

namespace Resilience.Packaging.Tests.Infrastructure;

/// <summary>
/// Runs the <c>dotnet</c> CLI as a child process with a timeout, capturing its output, without telemetry, logos,
/// MSBuild node reuse or a shared compiler server, so that no server outlives the test.
/// </summary>
internal static class DotNetCli
{
    /// <summary>Upper bound of one child process; a slow CI machine packs in well under a minute.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Arguments that keep MSBuild and the compiler from leaving servers behind.</summary>
    public static readonly string[] NoServers = ["-nodeReuse:false", "-p:UseSharedCompilation=false"];

    public static async Task<ProcessResult> RunAsync(string workingDirectory, IReadOnlyList<string> arguments, TimeSpan? timeout = null)
    {
        var startInfo = new ProcessStartInfo(FindDotNet())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        ConfigureEnvironment(startInfo.Environment);

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);

        var stopwatch = Stopwatch.StartNew();
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var limit = timeout ?? DefaultTimeout;
        using var cts = new CancellationTokenSource(limit);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited between the timeout and the kill.
            }

            await process.WaitForExitAsync();
        }

        // The parameterless wait also drains the redirected streams.
        process.WaitForExit();
        stopwatch.Stop();

        return new ProcessResult(
            "dotnet " + string.Join(' ', arguments),
            workingDirectory,
            timedOut ? -1 : process.ExitCode,
            timedOut,
            stopwatch.Elapsed,
            Read(stdout),
            Read(stderr));
    }

    private static void ConfigureEnvironment(IDictionary<string, string?> environment)
    {
        // When this test runs under `dotnet test`, the outer CLI's MSBuild variables (MSBuildSDKsPath,
        // MSBUILD_EXE_PATH, MSBuildExtensionsPath, ...) may be inherited; the child resolves its own SDK.
        foreach (var key in environment.Keys.ToArray())
        {
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase))
            {
                environment.Remove(key);
            }
        }

        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_NOLOGO"] = "1";
        environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        environment["MSBUILDDISABLENODEREUSE"] = "1";
        environment["UseSharedCompilation"] = "false";
    }

    private static string FindDotNet()
    {
        var hostPath = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(hostPath) && File.Exists(hostPath))
        {
            return hostPath;
        }

        var processPath = Environment.ProcessPath;
        if (processPath is not null
            && Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return processPath;
        }

        return "dotnet";
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }
    }

    private static string Read(StringBuilder builder)
    {
        lock (builder)
        {
            return builder.ToString();
        }
    }
}
