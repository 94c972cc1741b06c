using System.Net.Http;
using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface IFallbackService
{
    [Fallback(nameof(GetFallbackAsync))]
    [Retry(MaxRetries = 1, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0)]
    Task<string> GetAsync(string id, CancellationToken cancellationToken);

    Task<string> GetFallbackAsync(string id, Exception error);

    [Fallback(nameof(FindFallback))]
    ValueTask<string> FindAsync(string id, int page);

    static string FindFallback(int page, Exception error) => $"static page {page}: {error.Message}";

    [Fallback(typeof(StaticFallbacks), nameof(StaticFallbacks.Count))]
    Task<int> CountAsync(string category);

    [Fallback(typeof(InjectedFallback), nameof(InjectedFallback.Recover))]
    ValueTask<string> LoadAsync(string id, CancellationToken cancellationToken);

    [Fallback(nameof(OnlyHttp))]
    Task<string> NarrowAsync(string id);

    static string OnlyHttp(string id, HttpRequestException error) => $"http fallback {id}: {error.Message}";

    [Fallback(nameof(SendFallback))]
    Task SendAsync(string message);

    void SendFallback(string message, Exception error);

    [Fallback(nameof(ParseFallback))]
    int Parse(string text);

    static int ParseFallback(string text, Exception error) => text.Length;
}

public static class StaticFallbacks
{
    public static int Count(string category, Exception error) => category == "books" && error is InvalidOperationException ? -1 : -2;
}

public sealed class InjectedFallback
{
    public List<string> Recovered { get; } = [];

    public ValueTask<string> Recover(string id, Exception error)
    {
        Recovered.Add($"{id}: {error.Message}");
        return new ValueTask<string>($"handler {id}");
    }
}

/// <summary>Every method throws <see cref="Error"/> (synchronously or as a faulted task, per method) unless it is null.</summary>
public sealed class BrokenFallbackService : IFallbackService
{
    public AttemptLog Log { get; } = new();

    public Exception? Error { get; set; } = new InvalidOperationException("broken");

    public List<string> Calls { get; } = [];

    public Task<string> GetAsync(string id, CancellationToken cancellationToken)
    {
        int n = Log.Record(cancellationToken);
        return Error is null ? Task.FromResult($"inner {id}") : Task.FromException<string>(new InvalidOperationException($"attempt {n}"));
    }

    public Task<string> GetFallbackAsync(string id, Exception error)
    {
        Calls.Add($"GetFallbackAsync({id}, {error.Message})");
        return Task.FromResult($"instance fallback {id}");
    }

    public ValueTask<string> FindAsync(string id, int page) => Error is null ? new($"inner {id}") : throw Error;

    public Task<int> CountAsync(string category) => Error is null ? Task.FromResult(1) : Task.FromException<int>(Error);

    public ValueTask<string> LoadAsync(string id, CancellationToken cancellationToken) => Error is null ? new($"inner {id}") : ValueTask.FromException<string>(Error);

    public Task<string> NarrowAsync(string id) => Error is null ? Task.FromResult($"inner {id}") : Task.FromException<string>(Error);

    public Task SendAsync(string message) => Error is null ? Task.CompletedTask : Task.FromException(Error);

    public void SendFallback(string message, Exception error) => Calls.Add($"SendFallback({message}, {error.Message})");

    public int Parse(string text) => Error is null ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : throw Error;
}

public sealed class FallbackTests : IDisposable
{
    private readonly Clock _clock = new();
    private readonly BrokenFallbackService _inner = new();
    private readonly InjectedFallback _handler = new();
    private readonly FallbackServiceResilient _proxy;

    public FallbackTests() => _proxy = new FallbackServiceResilient(_inner, _handler, _clock.Registry);

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task An_instance_fallback_on_the_inner_gets_the_last_exception_after_retries()
    {
        Task<string> call = _proxy.GetAsync("u1", CancellationToken.None);
        await _clock.AdvanceToAttempt(10, _inner.Log, 2);

        Assert.Equal("instance fallback u1", await Clock.Finish(call));
        Assert.Equal(["GetFallbackAsync(u1, attempt 2)"], _inner.Calls);
    }

    [Fact]
    public async Task The_fallback_is_not_called_when_the_call_succeeds()
    {
        _inner.Error = null;

        Assert.Equal("inner u1", await Clock.Finish(_proxy.GetAsync("u1", CancellationToken.None)));
        Assert.Equal(1, await _proxy.CountAsync("books"));
        Assert.Equal("inner x", await _proxy.LoadAsync("x", CancellationToken.None));
        Assert.Empty(_inner.Calls);
        Assert.Empty(_handler.Recovered);
    }

    [Fact]
    public async Task A_static_interface_fallback_receives_a_subset_of_the_parameters()
    {
        Assert.Equal("static page 3: broken", await _proxy.FindAsync("q", 3));
    }

    [Fact]
    public async Task A_static_fallback_on_a_handler_type_answers()
    {
        Assert.Equal(-1, await _proxy.CountAsync("books"));
        _inner.Error = new ArgumentException("other");
        Assert.Equal(-2, await _proxy.CountAsync("books"));
    }

    [Fact]
    public async Task An_instance_fallback_on_an_injected_handler_answers()
    {
        Assert.Equal("handler x", await _proxy.LoadAsync("x", CancellationToken.None));
        Assert.Equal(["x: broken"], _handler.Recovered);
    }

    [Fact]
    public void The_handler_instance_is_required()
    {
        Assert.Throws<ArgumentNullException>(() => new FallbackServiceResilient(_inner, null!, _clock.Registry));
    }

    [Fact]
    public async Task A_narrower_exception_parameter_falls_back_only_for_that_type()
    {
        _inner.Error = new HttpRequestException("503");
        Assert.Equal("http fallback n: 503", await _proxy.NarrowAsync("n"));

        _inner.Error = new InvalidOperationException("not http");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _proxy.NarrowAsync("n"));
        Assert.Same(_inner.Error, error);
    }

    [Fact]
    public async Task A_void_fallback_answers_a_Task_method()
    {
        await _proxy.SendAsync("hello");

        Assert.Equal(["SendFallback(hello, broken)"], _inner.Calls);
    }

    [Fact]
    public void A_synchronous_method_falls_back_synchronously()
    {
        _inner.Error = new FormatException("bad");
        Assert.Equal(4, _proxy.Parse("abcd"));

        _inner.Error = null;
        Assert.Equal(12, _proxy.Parse("12"));
    }
}
