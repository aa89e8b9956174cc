using System.Globalization;
using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Outcomes;

namespace EdgeMl.Agent.Pipeline;

/// <summary>One frame on its way through the pipeline; slots are pooled, so a frame costs no allocation once the pool is warm.</summary>
public sealed class FrameSlot
{
    private byte[] _data = [];
    private float[] _probabilities = [];
    private int _labels;

    internal FrameSlot()
    {
    }

    /// <summary>Position in the source's order.</summary>
    public long Sequence { get; internal set; }

    /// <summary>Where the frame came from (a file name for folder sources).</summary>
    public string Name { get; set; } = "";

    /// <summary>Names the frame across retries (its file name; its position where the source gives no name), e.g. for audit sampling.</summary>
    public string Id => Name.Length > 0 ? Name : Sequence.ToString(CultureInfo.InvariantCulture);

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Encoded => _data.AsSpan(0, Length);

    /// <summary>Per-label probabilities from the model that scored the frame.</summary>
    public ReadOnlySpan<float> Probabilities => _probabilities.AsSpan(0, _labels);

    /// <summary>The model (name:version) that scored the frame; a swap mid-stream shows here.</summary>
    public string? ModelId { get; internal set; }

    public Verdict Verdict { get; internal set; }

    /// <summary>Why the frame could not be scored (an error, or escalated with <see cref="FramePipeline.NoModel"/>); null when it was.</summary>
    public string? Error { get; set; }

    public long StartTimestamp { get; internal set; }

    public long EndTimestamp { get; internal set; }

    public long DecodeTicks { get; internal set; }

    public long InferenceTicks { get; internal set; }

    /// <summary>The active model that scored the frame; only its manifest and provider are read, never its session.</summary>
    internal LoadedModel? ScoredBy { get; set; }

    /// <summary>What the model saw; null when the frame did not decode.</summary>
    public InputStatistics? Input { get; internal set; }

    /// <summary>The shadow model's view of the frame; null when none ran.</summary>
    public ShadowResult? Shadow { get; internal set; }

    /// <summary>Reads a whole file into the slot's reusable buffer.</summary>
    public void LoadFile(string path)
    {
        using var handle = File.OpenHandle(path);
        var length = RandomAccess.GetLength(handle);
        if (length > MaxFrameBytes)
        {
            throw new IOException($"the file is {length} bytes, more than the {MaxFrameBytes}-byte limit for one frame");
        }

        Reserve((int)length);
        var read = 0;
        while (read < length)
        {
            var n = RandomAccess.Read(handle, _data.AsSpan(read, (int)length - read), read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        Length = read;
    }

    /// <summary>Copies an encoded frame into the slot.</summary>
    public void Load(ReadOnlySpan<byte> encoded)
    {
        Reserve(encoded.Length);
        encoded.CopyTo(_data);
        Length = encoded.Length;
    }

    /// <summary>Largest encoded frame accepted; a 4K PNG stays well below it.</summary>
    public const int MaxFrameBytes = 64 * 1024 * 1024;

    internal void Reset()
    {
        Name = "";
        Length = 0;
        Error = null;
        Verdict = default;
        DecodeTicks = 0;
        InferenceTicks = 0;
        ModelId = null;
        ScoredBy = null;
        Input = null;
        Shadow = null;
        _labels = 0;
    }

    /// <summary>
    /// The frame's result as a value the sinks may keep: the probabilities are copied out of the pooled slot, and so is
    /// the encoded image when <paramref name="withImage"/> and a person is to see the frame.
    /// </summary>
    internal FrameOutcome ToOutcome(TimeProvider time, long? partId = null, bool withImage = false) => new(
        Id,
        time.GetUtcNow(),
        ScoredBy is { } model ? new ModelVersionId(model.Manifest.Name, model.Manifest.Version) : null,
        ScoredBy?.Labels ?? [],
        [.. Probabilities],
        Verdict,
        new FrameLatencies(time.GetElapsedTime(0, DecodeTicks), time.GetElapsedTime(0, InferenceTicks), time.GetElapsedTime(StartTimestamp, EndTimestamp)),
        Input,
        Shadow,
        ScoredBy?.Provider.Provider ?? "",
        Error)
    {
        PartId = partId,
        Image = withImage && Verdict.Decision is Decision.Escalate or Decision.Audit ? Encoded.ToArray() : default,
    };

    internal Span<float> PrepareProbabilities(int labels)
    {
        if (_probabilities.Length < labels)
        {
            _probabilities = new float[labels];
        }

        _labels = labels;
        return _probabilities.AsSpan(0, labels);
    }

    private void Reserve(int length)
    {
        if (_data.Length < length)
        {
            _data = new byte[Math.Max(length, _data.Length * 2)];
        }
    }
}
