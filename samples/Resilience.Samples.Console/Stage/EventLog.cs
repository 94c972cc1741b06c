using System.Globalization;

namespace Resilience.Samples.Console.Stage;

/// <summary>
/// Writes one line per event: the time since the program started, who acted, and what happened, e.g.
/// <c>+00.158s  inventory  A-1 attempt 2, 41 ms after attempt 1: 503 Service Unavailable</c>.
/// </summary>
/// <remarks>
/// Lines are coloured by who wrote them, unless the output is redirected or the <c>NO_COLOR</c> environment variable
/// is set (https://no-color.org). DarkGray is avoided: 8-colour terminals show it as black. Thread-safe: calls running
/// in parallel write whole lines.
/// </remarks>
internal sealed class EventLog
{
    private const int SourceWidth = 10;

    private readonly Lock _gate = new();
    private readonly long _start = TimeProvider.System.GetTimestamp();
    private readonly bool _useColor = !System.Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    /// <summary>Time since the log was created (the program's start).</summary>
    public TimeSpan Elapsed => TimeProvider.System.GetElapsedTime(_start);

    /// <summary>Starts a scene: a blank line, its title and one line saying what to watch for.</summary>
    public void Heading(string title, string whatToWatch)
    {
        lock (_gate)
        {
            System.Console.WriteLine();
            WriteLine(ConsoleColor.Cyan, "scene", title);
            WriteLine(null, string.Empty, whatToWatch);
        }
    }

    /// <summary>Something a fake downstream service did (an attempt, its outcome, its reaction to cancellation).</summary>
    public void Downstream(string service, string message) => Write(ConsoleColor.Gray, service, message);

    /// <summary>What the calling code does: a call made, a pause.</summary>
    public void Caller(string message) => Write(ConsoleColor.White, "caller", message);

    /// <summary>A call that came back with a value.</summary>
    public void Answered(string message) => Write(ConsoleColor.Green, "caller", message);

    /// <summary>A call that came back with an exception.</summary>
    public void Failed(string message) => Write(ConsoleColor.Red, "caller", message);

    /// <summary>A resilience strategy acting on its own: a breaker changing state, a stale answer, a rejection.</summary>
    public void Strategy(string strategy, string message) => Write(ConsoleColor.Yellow, strategy, message);

    /// <summary>The outcome of one of the sample's self-checks.</summary>
    public void Check(bool passed, string expectation) =>
        Write(passed ? ConsoleColor.Green : ConsoleColor.Red, "check", (passed ? "ok      " : "FAILED  ") + expectation);

    /// <summary>A line without timestamp, for the summary table.</summary>
    public void Plain(string text, ConsoleColor? color = null)
    {
        lock (_gate)
        {
            SetColor(color);
            System.Console.WriteLine(text);
            ResetColor();
        }
    }

    private void Write(ConsoleColor? color, string source, string message)
    {
        lock (_gate)
        {
            WriteLine(color, source, message);
        }
    }

    // Callers hold _gate, so colour changes and text of one line never interleave with another thread's.
    private void WriteLine(ConsoleColor? color, string source, string message)
    {
        System.Console.Write(string.Create(CultureInfo.InvariantCulture, $"+{Elapsed.TotalSeconds:00.000}s  "));
        SetColor(color);
        System.Console.Write(source.PadRight(SourceWidth));
        System.Console.Write(' ');
        System.Console.WriteLine(message);
        ResetColor();
    }

    private void SetColor(ConsoleColor? color)
    {
        if (_useColor && color is { } value)
        {
            System.Console.ForegroundColor = value;
        }
    }

    private void ResetColor()
    {
        if (_useColor)
        {
            System.Console.ResetColor();
        }
    }
}
