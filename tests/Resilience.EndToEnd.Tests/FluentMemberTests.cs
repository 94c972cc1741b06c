using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

/// <summary>A base interface whose fluent member returns the base type.</summary>
public interface IFluentBase
{
    IFluentBase Named(string name);
}

/// <summary>A client with fluent configuration members (as Minio's <c>IMinioClient.WithTimeout</c>) beside a decorated call.</summary>
public interface IFluentClient : IFluentBase
{
    /// <summary>Returns the same instance.</summary>
    IFluentClient WithTimeout(int milliseconds);

    /// <summary>Returns a new, separate instance.</summary>
    IFluentClient Clone();

    /// <summary>Returns null.</summary>
    IFluentClient? Nothing();

    [Retry(MaxRetries = 2, DelayMs = 0)]
    string Get(string id);

    /// <summary>Returns the same instance, its first call failing: decorated, the retry answers.</summary>
    [Retry(MaxRetries = 1, DelayMs = 0)]
    IFluentClient Traced(bool on);
}

/// <summary>A generic interface whose fluent member returns its own constructed type.</summary>
public interface IFluentRepository<T>
{
    IFluentRepository<T> Tracking(bool on);

    IFluentRepository<int> Of();

    [Retry(MaxRetries = 1, DelayMs = 0)]
    T Find(int id);
}

/// <summary>Fails the first call of each <see cref="Get"/>; its fluent members return itself, a copy or null.</summary>
public sealed class FluentClient(AttemptLog log) : IFluentClient
{
    private int _calls;
    private int _traced;

    public int TimeoutMs { get; private set; }

    public string Name { get; private set; } = "";

    public IFluentBase Named(string name)
    {
        Name = name;
        return this;
    }

    public IFluentClient WithTimeout(int milliseconds)
    {
        TimeoutMs = milliseconds;
        return this;
    }

    public IFluentClient Clone() => new FluentClient(log) { TimeoutMs = TimeoutMs };

    public IFluentClient Traced(bool on)
    {
        log.Record();
        return Interlocked.Increment(ref _traced) == 1 ? throw new InvalidOperationException("first try fails") : this;
    }

    public IFluentClient? Nothing() => null;

    public string Get(string id)
    {
        log.Record();
        return Interlocked.Increment(ref _calls) % 2 == 1 ? throw new InvalidOperationException("first try fails") : "got " + id;
    }
}

public sealed class FluentRepository(AttemptLog log) : IFluentRepository<string>, IFluentRepository<int>
{
    private int _calls;

    public IFluentRepository<string> Tracking(bool on) => this;

    public IFluentRepository<int> Of() => this; // the inner instance, but as another construction of the interface

    IFluentRepository<int> IFluentRepository<int>.Tracking(bool on) => this;

    IFluentRepository<int> IFluentRepository<int>.Of() => this;

    public string Find(int id)
    {
        log.Record();
        return Interlocked.Increment(ref _calls) % 2 == 1 ? throw new InvalidOperationException("first try fails") : "found " + id;
    }

    int IFluentRepository<int>.Find(int id) => id;
}

/// <summary>
/// A method whose return type the decorator is (the interface or a base of it), forwarded or decorated, hands back the
/// decorator when its result is the inner instance, so a fluent chain stays decorated; any other result comes back unchanged.
/// </summary>
public sealed class FluentMemberTests : IDisposable
{
    private readonly AttemptLog _log = new();
    private readonly Clock _clock = new();
    private readonly FluentClient _inner;
    private readonly IFluentClient _client;

    public FluentMemberTests()
    {
        _inner = new FluentClient(_log);
        _client = new FluentClientResilient(_inner, _clock.Registry);
    }

    public void Dispose() => _clock.Dispose();

    [Fact]
    public void A_fluent_member_returning_the_inner_instance_returns_the_decorator_and_the_chain_keeps_its_retry()
    {
        IFluentClient configured = _client.WithTimeout(250);

        Assert.Same(_client, configured);
        Assert.Equal(250, _inner.TimeoutMs);
        Assert.Equal("got 7", configured.Get("7")); // the first attempt fails: only the decorator's retry gets here
        Assert.Equal(2, _log.Count);
    }

    [Fact]
    public void A_decorated_fluent_member_returns_the_decorator_after_its_strategies()
    {
        IFluentClient traced = _client.Traced(true); // the first attempt throws, the retry gets the inner instance

        Assert.Same(_client, traced);
        Assert.Equal(2, _log.Count);
    }

    [Fact]
    public void A_base_interfaces_fluent_member_returns_the_decorator_as_that_base()
    {
        IFluentBase named = _client.Named("orders");

        Assert.Same(_client, named);
        Assert.Equal("orders", _inner.Name);
    }

    [Fact]
    public void Another_instance_or_null_is_returned_unchanged()
    {
        IFluentClient copy = _client.Clone();

        Assert.IsType<FluentClient>(copy);
        Assert.NotSame(_inner, copy);
        Assert.Null(_client.Nothing());
        Assert.Throws<InvalidOperationException>(() => copy.Get("7")); // not decorated: no retry
    }

    [Fact]
    public void A_generic_interface_returns_the_decorator_for_its_own_construction_only()
    {
        var inner = new FluentRepository(_log);
        IFluentRepository<string> repository = new FluentRepositoryResilient<string>(inner, _clock.Registry);

        Assert.Same(repository, repository.Tracking(true));
        Assert.Equal("found 3", repository.Tracking(false).Find(3));
        Assert.Same(inner, repository.Of()); // IFluentRepository<int> is not a type this decorator is
    }
}
