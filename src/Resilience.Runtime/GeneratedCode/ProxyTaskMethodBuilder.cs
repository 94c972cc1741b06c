using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Resilience;

/// <summary>
/// The async method builder of a generated decorator's <see cref="Task{TResult}"/> core (infrastructure; not meant to be
/// used directly). It differs from <see cref="AsyncTaskMethodBuilder{TResult}"/> in one way: the core ends with
/// <c>return await GeneratedCodeHelpers.PassThrough(task, error)</c>, and the builder takes that task itself as the
/// method's task when the core never suspended, so a synchronous success hands back the inner call's own task
/// (nothing allocated). When the core did suspend, its state machine box (which is the <see cref="Task{TResult}"/> the
/// caller holds) completes from that task directly, without resuming the method: one allocation per asynchronously
/// completing call, and a failure is set on the task without being thrown.
/// </summary>
/// <typeparam name="TResult">The method's result type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct ProxyTaskMethodBuilder<TResult>
{
    private AsyncTaskMethodBuilder<TResult> _builder;
    private Task<TResult>? _passThrough;
    private bool _suspended;

    /// <summary>Creates a builder (called by the compiler).</summary>
    /// <returns>A new builder.</returns>
    public static ProxyTaskMethodBuilder<TResult> Create() => default;

    /// <summary>The method's task: the passed-through task when the method completed without suspending.</summary>
    public Task<TResult> Task => _passThrough ?? _builder.Task;

    /// <summary>Runs the state machine until its first suspension.</summary>
    /// <typeparam name="TStateMachine">The state machine's type.</typeparam>
    /// <param name="stateMachine">The state machine.</param>
    public void Start<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine
        => _builder.Start(ref stateMachine);

    /// <summary>Not used by struct state machines (kept for the builder pattern).</summary>
    /// <param name="stateMachine">The boxed state machine.</param>
    public void SetStateMachine(IAsyncStateMachine stateMachine) => _builder.SetStateMachine(stateMachine);

    /// <summary>Completes the task with <paramref name="result"/>.</summary>
    /// <param name="result">The result.</param>
    public void SetResult(TResult result) => _builder.SetResult(result);

    /// <summary>Completes the task with <paramref name="exception"/> (cancelled for an <see cref="OperationCanceledException"/>).</summary>
    /// <param name="exception">The failure.</param>
    public void SetException(Exception exception) => _builder.SetException(exception);

    /// <summary>Suspends on <paramref name="awaiter"/>, or takes the core's final task (<see cref="GeneratedCodeHelpers.PassThrough{T}"/>).</summary>
    /// <typeparam name="TAwaiter">The awaiter's type.</typeparam>
    /// <typeparam name="TStateMachine">The state machine's type.</typeparam>
    /// <param name="awaiter">The awaiter.</param>
    /// <param name="stateMachine">The state machine.</param>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine
    {
        if (typeof(TAwaiter) == typeof(PassThroughAwaiter<TResult>)
            && TryPassThrough(ref Unsafe.As<TAwaiter, PassThroughAwaiter<TResult>>(ref awaiter), ref stateMachine))
        {
            return;
        }

        _suspended = true; // before the builder boxes the state machine, so the box's copy knows it too
        _builder.AwaitOnCompleted(ref awaiter, ref stateMachine);
    }

    /// <summary>Suspends on <paramref name="awaiter"/>, or takes the core's final task (<see cref="GeneratedCodeHelpers.PassThrough{T}"/>).</summary>
    /// <typeparam name="TAwaiter">The awaiter's type.</typeparam>
    /// <typeparam name="TStateMachine">The state machine's type.</typeparam>
    /// <param name="awaiter">The awaiter.</param>
    /// <param name="stateMachine">The state machine.</param>
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine
    {
        if (typeof(TAwaiter) == typeof(PassThroughAwaiter<TResult>)
            && TryPassThrough(ref Unsafe.As<TAwaiter, PassThroughAwaiter<TResult>>(ref awaiter), ref stateMachine))
        {
            return;
        }

        _suspended = true;
        _builder.AwaitUnsafeOnCompleted(ref awaiter, ref stateMachine);
    }

    /// <summary>
    /// The core's last step. Not suspended yet: the method's task is the given task itself (or a failed one). Suspended:
    /// the box completes from the task when it is complete; a task still running (a fallback's own task) is awaited
    /// the ordinary way, and the method resumes to read it.
    /// </summary>
    private bool TryPassThrough<TStateMachine>(ref PassThroughAwaiter<TResult> awaiter, ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine
    {
        if (!_suspended)
        {
            _passThrough = awaiter.Error is null ? awaiter.Task : GeneratedCodeHelpers.FromException<TResult>(awaiter.Error);
            return true;
        }

        if (awaiter.Error is not null)
        {
            _builder.SetException(awaiter.Error);
            return true;
        }

        Task<TResult> task = awaiter.Task;
        if (!task.IsCompleted)
        {
            ConfiguredTaskAwaitable<TResult>.ConfiguredTaskAwaiter pending = task.ConfigureAwait(false).GetAwaiter();
            _builder.AwaitUnsafeOnCompleted(ref pending, ref stateMachine);
            return true;
        }

        if (task.IsCompletedSuccessfully)
        {
            _builder.SetResult(task.Result);
        }
        else
        {
            _builder.SetException(GeneratedCodeHelpers.GetException(task));
        }

        return true;
    }
}

/// <summary>The async method builder of a generated decorator's <see cref="Task"/> core; see <see cref="ProxyTaskMethodBuilder{TResult}"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct ProxyTaskMethodBuilder
{
    private AsyncTaskMethodBuilder _builder;
    private Task? _passThrough;
    private bool _suspended;

    /// <summary>Creates a builder (called by the compiler).</summary>
    /// <returns>A new builder.</returns>
    public static ProxyTaskMethodBuilder Create() => default;

    /// <summary>The method's task: the passed-through task when the method completed without suspending.</summary>
    public Task Task => _passThrough ?? _builder.Task;

    /// <summary>Runs the state machine until its first suspension.</summary>
    /// <typeparam name="TStateMachine">The state machine's type.</typeparam>
    /// <param name="stateMachine">The state machine.</param>
    public void Start<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine
        => _builder.Start(ref stateMachine);

    /// <summary>Not used by struct state machines (kept for the builder pattern).</summary>
    /// <param name="stateMachine">The boxed state machine.</param>
    public void SetStateMachine(IAsyncStateMachine stateMachine) => _builder.SetStateMachine(stateMachine);

    /// <summary>Completes the task.</summary>
    public void SetResult() => _builder.SetResult();

    /// <summary>Completes the task with <paramref name="exception"/> (cancelled for an <see cref="OperationCanceledException"/>).</summary>
    /// <param name="exception">The failure.</param>
    public void SetException(Exception exception) => _builder.SetException(exception);

    /// <summary>Suspends on <paramref name="awaiter"/>, or takes the core's final task (<see cref="GeneratedCodeHelpers.PassThrough(Task, Exception)"/>).</summary>
    /// <typeparam name="TAwaiter">The awaiter's type.</typeparam>
    /// <typeparam name="TStateMachine">The state machine's type.</typeparam>
    /// <param name="awaiter">The awaiter.</param>
    /// <param name="stateMachine">The state machine.</param>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine
    {
        if (typeof(TAwaiter) == typeof(PassThroughAwaiter)
            && TryPassThrough(ref Unsafe.As<TAwaiter, PassThroughAwaiter>(ref awaiter), ref stateMachine))
        {
            return;
        }

        _suspended = true;
        _builder.AwaitOnCompleted(ref awaiter, ref stateMachine);
    }

    /// <summary>Suspends on <paramref name="awaiter"/>, or takes the core's final task (<see cref="GeneratedCodeHelpers.PassThrough(Task, Exception)"/>).</summary>
    /// <typeparam name="TAwaiter">The awaiter's type.</typeparam>
    /// <typeparam name="TStateMachine">The state machine's type.</typeparam>
    /// <param name="awaiter">The awaiter.</param>
    /// <param name="stateMachine">The state machine.</param>
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine
    {
        if (typeof(TAwaiter) == typeof(PassThroughAwaiter)
            && TryPassThrough(ref Unsafe.As<TAwaiter, PassThroughAwaiter>(ref awaiter), ref stateMachine))
        {
            return;
        }

        _suspended = true;
        _builder.AwaitUnsafeOnCompleted(ref awaiter, ref stateMachine);
    }

    private bool TryPassThrough<TStateMachine>(ref PassThroughAwaiter awaiter, ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine
    {
        if (!_suspended)
        {
            _passThrough = awaiter.Error is null ? awaiter.Task : GeneratedCodeHelpers.FromException(awaiter.Error);
            return true;
        }

        if (awaiter.Error is not null)
        {
            _builder.SetException(awaiter.Error);
            return true;
        }

        Task task = awaiter.Task;
        if (!task.IsCompleted)
        {
            ConfiguredTaskAwaitable.ConfiguredTaskAwaiter pending = task.ConfigureAwait(false).GetAwaiter();
            _builder.AwaitUnsafeOnCompleted(ref pending, ref stateMachine);
            return true;
        }

        if (task.IsCompletedSuccessfully)
        {
            _builder.SetResult();
        }
        else
        {
            _builder.SetException(GeneratedCodeHelpers.GetException(task));
        }

        return true;
    }
}

/// <summary>
/// What a generated <see cref="Task{TResult}"/> core awaits last (<see cref="GeneratedCodeHelpers.PassThrough{T}"/>):
/// its own builder takes the task without a suspension. Awaited anywhere else, it behaves as awaiting the task (or
/// throwing the error).
/// </summary>
/// <typeparam name="TResult">The result type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct PassThroughAwaiter<TResult> : ICriticalNotifyCompletion
{
    internal PassThroughAwaiter(Task<TResult> task, Exception? error)
    {
        Task = task;
        Error = error;
    }

    internal Task<TResult> Task { get; }

    internal Exception? Error { get; }

    /// <summary>Always <see langword="false"/>, so that the builder sees this awaiter.</summary>
    public bool IsCompleted => false;

    /// <summary>Returns this awaiter (the awaitable pattern).</summary>
    /// <returns>This awaiter.</returns>
    public PassThroughAwaiter<TResult> GetAwaiter() => this;

    /// <summary>The task's result, or its failure thrown; the error thrown when there is one.</summary>
    /// <returns>The result.</returns>
    public TResult GetResult()
    {
        if (Error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(Error);
        }

        return Task.GetAwaiter().GetResult();
    }

    /// <summary>Runs <paramref name="continuation"/> when the task completes.</summary>
    /// <param name="continuation">The continuation.</param>
    public void OnCompleted(Action continuation) => Task.ConfigureAwait(false).GetAwaiter().OnCompleted(continuation);

    /// <summary>Runs <paramref name="continuation"/> when the task completes (without flowing the execution context).</summary>
    /// <param name="continuation">The continuation.</param>
    public void UnsafeOnCompleted(Action continuation) => Task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(continuation);
}

/// <summary>What a generated <see cref="Task"/> core awaits last; see <see cref="PassThroughAwaiter{TResult}"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct PassThroughAwaiter : ICriticalNotifyCompletion
{
    internal PassThroughAwaiter(Task task, Exception? error)
    {
        Task = task;
        Error = error;
    }

    internal Task Task { get; }

    internal Exception? Error { get; }

    /// <summary>Always <see langword="false"/>, so that the builder sees this awaiter.</summary>
    public bool IsCompleted => false;

    /// <summary>Returns this awaiter (the awaitable pattern).</summary>
    /// <returns>This awaiter.</returns>
    public PassThroughAwaiter GetAwaiter() => this;

    /// <summary>Throws the task's failure or the error, if any.</summary>
    public void GetResult()
    {
        if (Error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(Error);
        }

        Task.GetAwaiter().GetResult();
    }

    /// <summary>Runs <paramref name="continuation"/> when the task completes.</summary>
    /// <param name="continuation">The continuation.</param>
    public void OnCompleted(Action continuation) => Task.ConfigureAwait(false).GetAwaiter().OnCompleted(continuation);

    /// <summary>Runs <paramref name="continuation"/> when the task completes (without flowing the execution context).</summary>
    /// <param name="continuation">The continuation.</param>
    public void UnsafeOnCompleted(Action continuation) => Task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(continuation);
}
