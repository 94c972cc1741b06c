namespace Resilience;

/// <summary>Decides when a closed circuit opens. Consulted each time a failure is recorded while the circuit is closed.</summary>
/// <remarks>Implementations must be thread-safe and should not allocate: they are called on the failure path of every call.</remarks>
public interface ITripPolicy
{
    /// <summary>Returns <see langword="true"/> to open the circuit.</summary>
    /// <param name="counts">The counts after the failure was recorded.</param>
    bool ShouldTrip(in CircuitCounts counts);
}
