using System.Text;

namespace Resilience.Packaging.Tests.Infrastructure;

/// <summary>What one child process did; <see cref="ToString"/> is meant for assertion messages.</summary>
internal sealed record ProcessResult(
    string Command,
    string WorkingDirectory,
    int ExitCode,
    bool TimedOut,
    TimeSpan Duration,
    string StandardOutput,
    string StandardError)
{
    public bool Succeeded => !TimedOut && ExitCode == 0;

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("> ").AppendLine(Command);
        text.Append("  in ").AppendLine(WorkingDirectory);
        text.Append(TimedOut ? "  TIMED OUT after " : "  exit code " + ExitCode + " after ")
            .Append(Duration.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture))
            .AppendLine(" s");
        text.AppendLine("--- stdout ---").AppendLine(StandardOutput.TrimEnd());
        text.AppendLine("--- stderr ---").AppendLine(StandardError.TrimEnd());
        return text.ToString();
    }
}
