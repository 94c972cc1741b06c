namespace Resilience;

/// <summary>
/// One hedged call, from <see cref="HedgeStrategy.Start"/>: the token every attempt runs with, and the race when the
/// first attempt did not answer at once. Dispose it exactly once, when the call has ended.
/// </summary>
/// <remarks>A mutable struct: call its members on the local itself, never on a copy.</remarks>
public struct HedgeScope : IDisposable
{
    private readonly HedgeStrategy _owner;
    private readonly CancellationTokenSource? _source;
    private CancellationTokenRegistration _registration;

    internal HedgeScope(HedgeStrategy owner, CancellationTokenSource? source, CancellationToken callerToken, CancellationTokenRegistration registration)
    {
        _owner = owner;
        _source = source;
        _registration = registration;
        Token = source?.Token ?? callerToken;
    }

    /// <summary>The token to give every attempt: cancelled when the caller's token is, and when a race ends with losers running.</summary>
    public readonly CancellationToken Token { get; }

    /// <summary>Starts the race with the first attempt, which has not answered successfully at once.</summary>
    /// <typeparam name="TResult">The attempt's result type.</typeparam>
    /// <param name="first">The first attempt.</param>
    public readonly HedgeRace Race<TResult>(ValueTask<TResult> first) => new(_owner, _source, Token, first.AsTask());

    /// <summary>Starts the race with the first attempt of a call without a result.</summary>
    /// <param name="first">The first attempt.</param>
    public readonly HedgeRace Race(ValueTask first) => new(_owner, _source, Token, first.AsTask());

    /// <summary>Ends the call: unlinks the caller's token and pools the source unless it was cancelled.</summary>
    public void Dispose()
    {
        _registration.Dispose();
        _registration = default;
        if (_source is not null)
        {
            _owner.Return(_source);
        }
    }
}
