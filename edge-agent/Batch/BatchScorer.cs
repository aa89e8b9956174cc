using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Pipeline;

namespace EdgeMl.Agent.Batch;

/// <summary>The batch mode: scores every file of a folder once and stores one row per file.</summary>
internal sealed class BatchScorer(ModelHolder models, int workers)
{
    public sealed record Summary(int Files, int Auto, int Escalated, int Errors);

    public async Task<Summary> ScoreAsync(string inputFolder, string outputPath, CancellationToken cancellationToken)
    {
        var source = new FolderFrameSource(inputFolder);
        var directory = Path.GetDirectoryName(Path.GetFullPath(outputPath));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        using var writer = CreateWriter(outputPath);
        int auto = 0, escalated = 0, errors = 0;
        await new FramePipeline(models, workers).RunAsync(
            source,
            slot =>
            {
                writer.Write(slot);
                _ = slot.Verdict.Decision switch
                {
                    Decision.Auto or Decision.Audit => auto++,
                    Decision.Escalate => escalated++,
                    _ => errors++,
                };
            },
            cancellationToken);
        writer.Complete();
        return new Summary(source.Files.Count, auto, escalated, errors);
    }

    private IScoreWriter CreateWriter(string outputPath)
    {
        var model = models.Current!.Active;
        var labels = model.Labels;
        var version = model.Manifest.Version;
        return Path.GetExtension(outputPath).ToLowerInvariant() is ".db" or ".sqlite" or ".sqlite3"
            ? new SqliteScoreWriter(outputPath, labels, version, models.Time)
            : new CsvScoreWriter(outputPath, labels, version, models.Time);
    }
}
