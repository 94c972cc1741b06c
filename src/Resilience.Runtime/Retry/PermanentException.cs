namespace Resilience;

/// <summary>
/// A failure that retrying cannot fix (bad input, not found, forbidden). Never retried, whatever the retry policy
/// says. Throw it, or wrap the real error in it (<c>new PermanentException(error)</c>), from the inner
/// implementation; it is found where it is, also when other exceptions wrap it (see <see cref="IsPermanent"/>).
/// </summary>
public class PermanentException : Exception
{
    /// <summary>How deep <see cref="IsPermanent"/> looks into inner exceptions, so that a cyclic or absurdly deep chain ends.</summary>
    private const int MaxDepth = 32;

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

    /// <summary>
    /// Marks <paramref name="innerException"/> as permanent: the message is its message, and it is the
    /// <see cref="Exception.InnerException"/>. The counterpart of Go's <c>backoff.Permanent(err)</c>; the caller
    /// receives this exception, with the real error inside.
    /// </summary>
    /// <param name="innerException">The real error.</param>
    public PermanentException(Exception innerException)
        : base((innerException ?? throw new ArgumentNullException(nameof(innerException))).Message, innerException)
    {
    }

    /// <summary>Creates the exception wrapping the real error.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The real error.</param>
    public PermanentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// Whether <paramref name="exception"/> is a permanent failure: a <see cref="PermanentException"/> itself, or one
    /// found by following <see cref="Exception.InnerException"/> and, for an <see cref="AggregateException"/>, every one
    /// of its <see cref="AggregateException.InnerExceptions"/> (any permanent one makes the whole permanent), like Go's
    /// <c>errors.As</c> walking a wrapping chain. Looks at most 32 levels deep. Allocates nothing.
    /// </summary>
    /// <param name="exception">The failure to classify.</param>
    public static bool IsPermanent(Exception? exception) => IsPermanentAt(exception, 0);

    private static bool IsPermanentAt(Exception? exception, int depth)
    {
        while (exception is not null && depth < MaxDepth)
        {
            if (exception is PermanentException)
            {
                return true;
            }

            if (exception is AggregateException aggregate)
            {
                var inner = aggregate.InnerExceptions;
                for (int i = 0; i < inner.Count; i++)
                {
                    if (IsPermanentAt(inner[i], depth + 1))
                    {
                        return true;
                    }
                }

                return false;
            }

            exception = exception.InnerException;
            depth++;
        }

        return false;
    }
}
