namespace Resilience;

/// <summary>Opens the circuit when either of two policies says so (failure ratio and timeout ratio both set).</summary>
internal sealed class AnyTripPolicy : ITripPolicy
{
    private readonly ITripPolicy _first;
    private readonly ITripPolicy _second;

    public AnyTripPolicy(ITripPolicy first, ITripPolicy second)
    {
        _first = first;
        _second = second;
    }

    public ITripPolicy First => _first;

    public ITripPolicy Second => _second;

    public bool ShouldTrip(in CircuitCounts counts) => _first.ShouldTrip(in counts) || _second.ShouldTrip(in counts);
}
