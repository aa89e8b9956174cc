using System.Threading.Channels;
using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Inference;

namespace EdgeMl.Agent.Pipeline;

/// <summary>
/// Source -> workers -> sink. Each free worker takes the next frame from the source and scores it
/// start to end (decode, preprocess, infer, decide), so no frame waits between stages; a fixed set
/// of slots bounds memory, and a live source that outruns the workers drops frames itself. The sink
/// sees frames in source order.
/// </summary>
public sealed class FramePipeline
{
    /// <summary>Why a frame was escalated without being scored: no model is loaded.</summary>
    public const string NoModel = "no model";

    /// <summary>How the error of a frame whose scoring threw begins, as opposed to one that could not be decoded.</summary>
    public const string ScoringFailed = "scoring failed";

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

        var done = Channel.CreateBounded<FrameSlot>(new BoundedChannelOptions(slots) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        var reader = new SourceReader(source, _time);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = cancel.Token;
        var workers = Enumerable.Range(0, _workers).Select(_ => Task.Run(() => WorkAsync(reader, free.Reader, done.Writer, token), token)).ToArray();
        var completion = Task.WhenAll(workers).ContinueWith(t => done.Writer.TryComplete(t.Exception), TaskScheduler.Default);
        try
        {
            await DeliverAsync(done.Reader, free.Writer, sink, token);
            await completion;
            await Task.WhenAll(workers);
        }
        catch
        {
            await cancel.CancelAsync();
            throw;
        }
        finally
        {
            reader.Dispose();
        }
    }

    /// <summary>A worker takes the next frame itself when it is free, so a frame never waits in a queue between capture and scoring.</summary>
    private async Task WorkAsync(SourceReader reader, ChannelReader<FrameSlot> free, ChannelWriter<FrameSlot> done, CancellationToken token)
    {
        while (true)
        {
            var slot = await free.ReadAsync(token);
            if (!await reader.ReadAsync(slot, token))
            {
                return;
            }

            Score(_models, slot);
            slot.EndTimestamp = _time.GetTimestamp();
            await done.WriteAsync(slot, token);
        }
    }

    /// <summary>Every failure on a frame's path becomes that frame's error: a sequence number never goes missing, so delivery never waits forever, and the lease is always released. Also scores frames pushed one at a time (HTTP).</summary>
    internal static void Score(ModelHolder models, FrameSlot slot)
    {
        var set = models.Lease();
        if (set is null)
        {
            // Fail-safe: with no model a readable frame goes to a human; one that could not be read stays an error.
            slot.Verdict = new Verdict(-1, 0, slot.Error is null ? Decision.Escalate : Decision.Error);
            slot.Error ??= NoModel;
            return;
        }

        FrameWorker? worker = null;
        try
        {
            worker = set.RentWorker();
            worker.Process(slot, set);
        }
        catch (Exception e)
        {
            // Any exception (ONNX Runtime, a decoder, a model that cannot build its buffers) is this frame's outcome, not the pipeline's end.
            slot.ModelId ??= set.Active.Manifest.Id;
            slot.Error = $"{ScoringFailed}: {e.GetType().Name}: {e.Message}";
            slot.Verdict = new Verdict(-1, 0, Decision.Error);
        }
        finally
        {
            if (worker is not null)
            {
                set.ReturnWorker(worker);
            }

            set.Release();
        }
    }

    private static async Task DeliverAsync(ChannelReader<FrameSlot> done, ChannelWriter<FrameSlot> free, Action<FrameSlot> sink, CancellationToken token)
    {
        var pending = new Dictionary<long, FrameSlot>();
        long next = 0;
        await foreach (var slot in done.ReadAllAsync(token))
        {
            pending.Add(slot.Sequence, slot);
            while (pending.Remove(next, out var ready))
            {
                sink(ready);
                free.TryWrite(ready);
                next++;
            }
        }
    }

    /// <summary>Hands out frames one at a time in source order; a frame's clock starts when it is in memory.</summary>
    private sealed class SourceReader(IFrameSource source, TimeProvider time) : IDisposable
    {
        private readonly SemaphoreSlim _lock = new(1, 1);
        private long _sequence;
        private bool _ended;

        public async ValueTask<bool> ReadAsync(FrameSlot slot, CancellationToken token)
        {
            await _lock.WaitAsync(token);
            try
            {
                slot.Reset();
                if (_ended || !await source.ReadNextAsync(slot, token))
                {
                    _ended = true;
                    return false;
                }

                slot.Sequence = _sequence++;
                slot.StartTimestamp = time.GetTimestamp();
                return true;
            }
            finally
            {
                _lock.Release();
            }
        }

        public void Dispose() => _lock.Dispose();
    }
}
