namespace Resilience;

/// <summary>Value equality and hashing of an exception-type list (<c>Handle</c>, <c>RetryOn</c>) for options comparison.</summary>
internal static class ExceptionTypeList
{
    /// <summary>Both null, or the same types in the same order.</summary>
    public static bool Equal(IReadOnlyList<Type>? left, IReadOnlyList<Type>? right)
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }

        if (left is null || right is null || left.Count != right.Count)
        {
            return false;
        }

        for (int i = 0; i < left.Count; i++)
        {
            if (left[i] != right[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Adds <paramref name="types"/> to <paramref name="hash"/> consistently with <see cref="Equal"/>.</summary>
    public static void AddTo(ref HashCode hash, IReadOnlyList<Type>? types)
    {
        if (types is null)
        {
            hash.Add(-1);
            return;
        }

        hash.Add(types.Count);
        for (int i = 0; i < types.Count; i++)
        {
            hash.Add(types[i]);
        }
    }
}
