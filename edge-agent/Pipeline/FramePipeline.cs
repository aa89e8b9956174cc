using System.Threading.Channels;
using EdgeMl.Agent.Inference;

namespace EdgeMl.Agent.Pipeline;

/// <summary>
/// Source -> workers -> sink over bounded channels. Each worker scores a frame start to end, so
/// a frame never waits between decode and inference; the number of slots bounds memory, and a
/// source that outruns the workers waits for a free slot. The sink sees frames in source order.
/// </summary>
public sealed class FramePipeline
{
    private readonly ModelHolder _models;
    private readonly int _workers;
    private readonly TimeProvider _time;

    public FramePipeline(ModelHolder models, int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _models = models;
        _workers = workers;
        _time = models.Time;
    }

    public async Task RunAsync(IFrameSource source, Action<FrameSlot> sink, CancellationToken cancellationToken)
    {
        var slots = (_workers * 2) + 2;
        var free = Channel.CreateBounded<FrameSlot>(slots);
        for (var i = 0; i < slots; i++)
        {
            free.Writer.TryWrite(new FrameSlot());
        }

        var work = Channel.CreateBounded<FrameSlot>(new BoundedChannelOptions(_workers) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        var done = Channel.CreateBounded<FrameSlot>(new BoundedChannelOptions(slots) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = cancel.Token;
        var reader = Task.Run(() => ReadAsync(source, free.Reader, work.Writer, token), token);
        var workers = Enumerable.Range(0, _workers).Select(_ => Task.Run(() => WorkAsync(work.Reader, done.Writer, token), token)).ToArray();
        var completion = Task.WhenAll(workers).ContinueWith(t => done.Writer.TryComplete(t.Exception), TaskScheduler.Default);
        try
        {
            await DeliverAsync(done.Reader, free.Writer, sink, token);
            await Task.WhenAll(reader, completion);
            await Task.WhenAll(workers);
        }
        catch
        {
            await cancel.CancelAsync();
            throw;
        }
    }

    private async Task ReadAsync(IFrameSource source, ChannelReader<FrameSlot> free, ChannelWriter<FrameSlot> work, CancellationToken token)
    {
        try
        {
            for (long sequence = 0; ; sequence++)
            {
                var slot = await free.ReadAsync(token);
                slot.Reset();
                slot.Sequence = sequence;
                slot.StartTimestamp = _time.GetTimestamp();
                if (!await source.ReadNextAsync(slot, token))
                {
                    break;
                }

                await work.WriteAsync(slot, token);
            }

            work.TryComplete();
        }
        catch (Exception e)
        {
            work.TryComplete(e);
            throw;
        }
    }

    private async Task WorkAsync(ChannelReader<FrameSlot> work, ChannelWriter<FrameSlot> done, CancellationToken token)
    {
        await foreach (var slot in work.ReadAllAsync(token))
        {
            var set = _models.Lease();
            if (set is null)
            {
                slot.Error ??= "no model is loaded yet";
                slot.Verdict = new Decisions.Verdict(-1, 0, Decisions.Decision.Error);
            }
            else
            {
                var worker = set.RentWorker();
                try
                {
                    worker.Process(slot, set);
                }
                finally
                {
                    set.ReturnWorker(worker);
                    set.Release();
                }
            }

            await done.WriteAsync(slot, token);
        }
    }

    private async Task DeliverAsync(ChannelReader<FrameSlot> done, ChannelWriter<FrameSlot> free, Action<FrameSlot> sink, CancellationToken token)
    {
        var pending = new Dictionary<long, FrameSlot>((_workers * 2) + 2);
        long next = 0;
        await foreach (var slot in done.ReadAllAsync(token))
        {
            slot.EndTimestamp = _time.GetTimestamp();
            pending.Add(slot.Sequence, slot);
            while (pending.Remove(next, out var ready))
            {
                sink(ready);
                free.TryWrite(ready);
                next++;
            }
        }
    }
}
