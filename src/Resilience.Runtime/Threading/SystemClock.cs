using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Resilience;

/// <summary>Reads a <see cref="TimeProvider"/>'s clock, without a virtual call when it is <see cref="TimeProvider.System"/>.</summary>
/// <remarks>
/// <see cref="TimeProvider.System"/> does not override <see cref="TimeProvider.GetTimestamp"/>, whose base implementation
/// is <see cref="Stopwatch.GetTimestamp"/>: calling that directly is the same reading, one indirect call less on the hot
/// paths that read the exact clock (a timeout's start, a rate limit's admission). Callers keep
/// <see cref="IsSystem"/>'s answer in a field, read once when they are built.
/// </remarks>
internal static class SystemClock
{
    /// <summary>Whether <paramref name="timeProvider"/> is <see cref="TimeProvider.System"/>.</summary>
    public static bool IsSystem(TimeProvider timeProvider) => ReferenceEquals(timeProvider, TimeProvider.System);

    /// <summary><paramref name="timeProvider"/>'s <see cref="TimeProvider.GetTimestamp"/>.</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="isSystem"><see cref="IsSystem"/> of <paramref name="timeProvider"/>.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long GetTimestamp(TimeProvider timeProvider, bool isSystem)
        => isSystem ? Stopwatch.GetTimestamp() : timeProvider.GetTimestamp();
}
