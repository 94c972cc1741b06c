namespace Resilience;

/// <summary>
/// A failure that retrying cannot fix (bad input, not found, forbidden). Never retried, whatever the retry policy
/// says. Throw it, or wrap the real error in it, from the inner implementation.
/// </summary>
public class PermanentException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PermanentException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public PermanentException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception wrapping the real error.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The real error.</param>
    public PermanentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
