namespace Resilience.Http;

/// <summary>Runs each request through a <see cref="ResilientCall{T}"/>; added by <c>AddResilientHandler</c>.</summary>
internal sealed class ResilientHttpHandler(ResilientCall<HttpResponseMessage> call) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        call.ExecuteAsync(static (attempts, token) => attempts.SendAsync(token), new Attempts(this, request), cancellationToken).AsTask();

    /// <summary>The synchronous <see cref="HttpClient.Send(HttpRequestMessage)"/> goes through the same strategies, blocking.</summary>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();

    private Task<HttpResponseMessage> SendInnerAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    /// <summary>The key of the composition shared by a client's handlers (one per client name).</summary>
    internal sealed record PipelineKey(string ClientName);

    /// <summary>One request's attempts: disposes a response that is about to be retried.</summary>
    private sealed class Attempts(ResilientHttpHandler handler, HttpRequestMessage request)
    {
        private HttpResponseMessage? _previous;

        public async ValueTask<HttpResponseMessage> SendAsync(CancellationToken cancellationToken)
        {
            _previous?.Dispose();
            _previous = null;
            HttpResponseMessage response = await handler.SendInnerAsync(request, cancellationToken).ConfigureAwait(false);
            _previous = response;
            return response;
        }
    }
}
