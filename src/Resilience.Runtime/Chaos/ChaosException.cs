namespace Resilience;

/// <summary>The fault that chaos injection throws when its configuration names no other (see docs/chaos.md).</summary>
public sealed class ChaosException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ChaosException()
        : base("Chaos: fault injected.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">The message.</param>
    public ChaosException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and <paramref name="innerException"/>.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ChaosException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
