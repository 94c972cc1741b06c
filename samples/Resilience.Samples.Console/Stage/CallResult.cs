namespace Resilience.Samples.Console.Stage;

/// <summary>What a call through a proxy came back with: a value, or the exception it threw.</summary>
/// <typeparam name="T">The method's result type.</typeparam>
/// <param name="Value">The value, when the call succeeded.</param>
/// <param name="Error">The exception, when it failed.</param>
internal readonly record struct CallResult<T>(T? Value, Exception? Error)
{
    /// <summary>Whether the call came back with a value.</summary>
    public bool Succeeded => Error is null;
}
