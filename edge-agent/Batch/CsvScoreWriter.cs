using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Pipeline;

namespace EdgeMl.Agent.Batch;

/// <summary>Writes rows to a CSV file (RFC 4180 quoting), through a temporary file renamed into place once complete.</summary>
internal sealed class CsvScoreWriter : IScoreWriter
{
    private readonly string _path;
    private readonly string _temporary;
    private readonly StreamWriter _writer;
    private readonly string _version;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<string> _labels;
    private bool _completed;

    public CsvScoreWriter(string path, IReadOnlyList<string> labels, string version, TimeProvider time)
    {
        _path = path;
        _temporary = path + ".partial";
        _version = version;
        _time = time;
        _labels = labels;
        _writer = new StreamWriter(_temporary, append: false) { NewLine = "\n" };
        _writer.WriteLine(string.Join(',', ScoreRow.Header(labels)));
    }

    public void Write(FrameSlot slot)
    {
        var ok = slot.Verdict.Decision != Decision.Error;
        _writer.Write(Escape(slot.Name));
        _writer.Write(',');
        if (ok)
        {
            _writer.Write(Escape(_labels[slot.Verdict.Label]));
            _writer.Write(',');
            _writer.Write(ScoreRow.Number(slot.Verdict.Confidence, "F6"));
        }
        else
        {
            _writer.Write(',');
        }

        _writer.Write(',');
        _writer.Write(ScoreRow.Decision(slot.Verdict.Decision));
        _writer.Write(',');
        _writer.Write(ScoreRow.Automation(slot.Verdict.Automation));
        // One column per label even when the frame has no scores, so every row has the header's width.
        for (var label = 0; label < _labels.Count; label++)
        {
            _writer.Write(',');
            if (ok)
            {
                _writer.Write(ScoreRow.Number(slot.Probabilities[label], "F6"));
            }
        }

        _writer.Write(',');
        _writer.Write(Escape(_version));
        _writer.Write(',');
        _writer.Write(ScoreRow.Number(ScoreRow.LatencyMs(slot, _time), "F3"));
        _writer.Write(',');
        _writer.WriteLine(Escape(slot.Error ?? ""));
    }

    public void Complete()
    {
        _writer.Flush();
        _writer.BaseStream.Flush();
        ((FileStream)_writer.BaseStream).Flush(flushToDisk: true);
        _writer.Dispose();
        File.Move(_temporary, _path, overwrite: true);
        _completed = true;
    }

    public void Dispose()
    {
        _writer.Dispose();
        if (!_completed)
        {
            File.Delete(_temporary);
        }
    }

    private static string Escape(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
