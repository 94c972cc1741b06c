using CsCheck;

namespace Resilience.Runtime.Tests.Queueing;

/// <summary>
/// <see cref="WaiterQueue{TWaiter}"/>, the FIFO queue of the bulkhead and the rate limiter: checked against a plain
/// list as the reference model, operation by operation, and under threads that enqueue, dequeue and cancel at once.
/// </summary>
public sealed class WaiterQueueTests
{
    private enum Op
    {
        Enqueue,
        Dequeue,
        RemoveAny,
        RemoveTwice,
    }

    [Fact]
    public void Random_enqueues_dequeues_and_removals_keep_the_order_and_count_of_a_reference_list()
    {
        Gen<(Op Op, int Pick)[]> sequences = Gen.Select(Gen.Enum<Op>(), Gen.Int[0, 1_000]).Array[1, 300];

        sequences.Sample(
            steps =>
            {
                var queue = new WaiterQueue<Item>();
                var model = new List<Item>();
                var created = new List<Item>();
                foreach ((Op op, int pick) in steps)
                {
                    switch (op)
                    {
                        case Op.Enqueue:
                            var item = new Item(created.Count);
                            created.Add(item);
                            queue.Enqueue(item);
                            model.Add(item);
                            break;

                        case Op.Dequeue:
                            Item? expected = model.Count > 0 ? model[0] : null;
                            if (model.Count > 0)
                            {
                                model.RemoveAt(0);
                            }

                            Assert.Same(expected, queue.Dequeue());
                            break;

                        case Op.RemoveAny when created.Count > 0:
                            // Any waiter ever created: queued (anywhere in the queue) or already gone.
                            Item target = created[pick % created.Count];
                            Assert.Equal(model.Remove(target), queue.Remove(target));
                            break;

                        case Op.RemoveTwice when model.Count > 0:
                            Item twice = model[pick % model.Count];
                            model.Remove(twice);
                            Assert.True(queue.Remove(twice));
                            Assert.False(queue.Remove(twice));
                            break;
                    }

                    AssertSame(model, created, queue);
                }
            },
            seed: "0000WaitQ016",
            iter: 500,
            threads: 1);
    }

    [Fact]
    public void A_waiter_is_served_once_a_removed_waiter_may_queue_again_and_another_queue_cannot_remove_it()
    {
        var queue = new WaiterQueue<Item>();
        var other = new WaiterQueue<Item>();
        var first = new Item(1);
        var second = new Item(2);
        Assert.Null(queue.First);
        Assert.Null(queue.Dequeue());
        Assert.False(queue.Remove(first));

        queue.Enqueue(first);
        queue.Enqueue(second);
        Assert.Throws<InvalidOperationException>(() => queue.Enqueue(first));
        Assert.Throws<InvalidOperationException>(() => other.Enqueue(second));
        Assert.False(other.Remove(first));
        Assert.Equal(2, queue.Count);
        Assert.Equal(0, other.Count);

        Assert.True(queue.Remove(first));
        Assert.False(first.IsQueued);
        Assert.Null(first.Next);
        Assert.Null(second.Previous);
        other.Enqueue(first);
        Assert.True(first.IsQueued);
        Assert.Same(first, other.Dequeue());
        Assert.Same(second, queue.Dequeue());
        Assert.Equal(0, queue.Count);
        Assert.Null(queue.First);
    }

    /// <summary>The queue's links, walked both ways, and every waiter's <see cref="QueuedWaiter{TWaiter}.IsQueued"/> agree with the model.</summary>
    private static void AssertSame(List<Item> model, List<Item> created, WaiterQueue<Item> queue)
    {
        Assert.Equal(model.Count, queue.Count);
        var forward = new List<Item>();
        Item? last = null;
        for (Item? item = queue.First; item is not null; item = item.Next)
        {
            Assert.Same(last, item.Previous);
            forward.Add(item);
            last = item;
        }

        Assert.Equal(model, forward);
        foreach (Item item in created)
        {
            Assert.Equal(model.Contains(item), item.IsQueued);
        }
    }

    private sealed class Item(int id) : QueuedWaiter<Item>
    {
        public int Id { get; } = id;

        public int Taken { get; set; }

        public override string ToString() => $"#{Id}";
    }
}

/// <summary><see cref="WaiterQueue{TWaiter}"/> used by several threads under one lock, as its owners use it.</summary>
[Collection(StressCollection.Name)]
public sealed class WaiterQueueStressTests
{
    /// <summary>
    /// Producers enqueue under one lock while cancellers remove random waiters (cancelled callers) and a consumer
    /// dequeues (served callers), as the owners' callbacks race: every waiter leaves exactly once, by exactly one of
    /// the parties, and each producer's waiters are served in the order it queued them.
    /// </summary>
    [Fact]
    public async Task Concurrent_enqueues_cancellations_and_dequeues_under_a_lock_take_every_waiter_out_exactly_once()
    {
        const int producers = 3;
        const int perProducer = 20_000;
        var gate = new object();
        var queue = new WaiterQueue<Item>();
        var all = new Item[producers * perProducer];
        var lastServed = new int[producers];
        Array.Fill(lastServed, -1);
        int produced = 0;
        int taken = 0;
        bool outOfOrder = false;

        Task[] tasks = new Task[producers * 2 + 1];
        for (int p = 0; p < producers; p++)
        {
            int producer = p;
            tasks[p] = Task.Run(() =>
            {
                for (int i = 0; i < perProducer; i++)
                {
                    var item = new Item((producer * perProducer) + i);
                    Volatile.Write(ref all[item.Id], item);
                    lock (gate)
                    {
                        queue.Enqueue(item);
                    }

                    Interlocked.Increment(ref produced);
                }
            });

            var random = new Random(16 + p);
            tasks[producers + p] = Task.Run(() =>
            {
                // Cancels random waiters, queued or not: only the first removal of each may succeed.
                for (int i = 0; i < perProducer; i++)
                {
                    Item? target = Volatile.Read(ref all[random.Next(all.Length)]);
                    if (target is null)
                    {
                        continue;
                    }

                    lock (gate)
                    {
                        if (queue.Remove(target))
                        {
                            target.Taken++;
                            taken++;
                        }
                    }
                }
            });
        }

        tasks[^1] = Task.Run(() =>
        {
            // Serves until every waiter has left (bounded: each one is taken once, by this loop or a canceller).
            var spinner = default(SpinWait);
            while (Volatile.Read(ref taken) < all.Length)
            {
                lock (gate)
                {
                    while (queue.Dequeue() is { } served)
                    {
                        served.Taken++;
                        taken++;
                        int producer = served.Id / perProducer;
                        outOfOrder |= served.Id <= lastServed[producer];
                        lastServed[producer] = served.Id;
                    }
                }

                spinner.SpinOnce();
            }
        });

        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(all.Length, produced);
        Assert.Equal(all.Length, taken);
        Assert.All(all, item => Assert.Equal(1, item.Taken));
        Assert.All(all, item => Assert.False(item.IsQueued));
        Assert.False(outOfOrder);
        Assert.Equal(0, queue.Count);
        Assert.Null(queue.First);
    }

    private sealed class Item(int id) : QueuedWaiter<Item>
    {
        public int Id { get; } = id;

        public int Taken { get; set; }
    }
}
