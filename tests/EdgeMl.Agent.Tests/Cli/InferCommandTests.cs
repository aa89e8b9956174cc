using System.Globalization;
using EdgeMl.Agent.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace EdgeMl.Agent.Tests.Cli;

public sealed class InferCommandTests
{
    private static readonly string[] Header = ["file", "prediction", "confidence", "decision", "automation", "p_ok", "p_cracked", "model_version", "latency_ms", "error"];

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public async Task Scores_the_held_out_test_set_at_or_above_the_model_card_accuracy(string version)
    {
        var frames = await GeneratedFrames.GetAsync(ModelCard.TestCount, ModelCard.TestSeed);
        using var temp = new TempDirectory();
        var output = temp.File("scores.csv");

        var run = await ProcessRunner.AgentAsync("infer", "--model", Repo.Package(version), "--input", frames, "--out", output, "--ep", "cpu");

        Assert.True(run.ExitCode == 0, run.Error);
        var rows = ReadCsv(output);
        var labels = GeneratedFrames.Labels(frames);
        var scored = rows.Where(r => labels.ContainsKey(r["file"])).ToList();
        Assert.Equal(ModelCard.TestCount, scored.Count);
        Assert.All(scored, r => Assert.NotEqual("error", r["decision"]));
        var accuracy = scored.Count(r => r["prediction"] == labels[r["file"]]) / (double)scored.Count;
        Assert.True(accuracy >= ModelCard.AgentAccuracy(version), $"accuracy {accuracy:F4} is below the model card's {ModelCard.AgentAccuracy(version):F4}");
    }

    [Fact]
    public async Task A_frame_over_the_decode_budget_is_an_error_row()
    {
        using var temp = new TempDirectory();
        var input = Directory.CreateDirectory(temp.File("input")).FullName;
        File.Copy(Directory.GetFiles(Path.Combine(Repo.Models, "samples"), "*.jpg").Order(StringComparer.Ordinal).First(), Path.Combine(input, "a-good.jpg"));
        await File.WriteAllBytesAsync(Path.Combine(input, "b-bomb.png"), HostilePng.Create(8192, 8192));
        await File.WriteAllBytesAsync(Path.Combine(input, "c-large.png"), HostilePng.Create(3000, 2000));

        var run = await ProcessRunner.AgentAsync(
            ["infer", "--model", Repo.Package("v2"), "--input", input, "--out", temp.File("scores.csv"), "--ep", "cpu"],
            new Dictionary<string, string> { ["EDGEML_INFERENCE__MAXDECODEPIXELS"] = "10000000" });

        Assert.True(run.ExitCode == 0, run.Error);
        var rows = ReadCsv(temp.File("scores.csv")).ToDictionary(r => r["file"]);
        Assert.Equal("", rows["a-good.jpg"]["error"]);
        Assert.Equal("", rows["c-large.png"]["error"]);
        Assert.Equal("error", rows["b-bomb.png"]["decision"]);
        Assert.Equal("the frame is 8192x8192 and would decode to 8192x8192 pixels, more than the decode budget of 10000000 (Inference:MaxDecodePixels)", rows["b-bomb.png"]["error"]);
    }

    [Fact]
    public async Task Reports_unusable_files_as_error_rows_and_scores_the_rest()
    {
        using var temp = new TempDirectory();
        var input = Directory.CreateDirectory(temp.File("input")).FullName;
        var sample = Directory.GetFiles(Path.Combine(Repo.Models, "samples"), "*.jpg").Order(StringComparer.Ordinal).First();
        var bytes = await File.ReadAllBytesAsync(sample);
        File.Copy(sample, Path.Combine(input, "a-good.jpg"));
        await File.WriteAllBytesAsync(Path.Combine(input, "b-empty.jpg"), []);
        await File.WriteAllBytesAsync(Path.Combine(input, "c-truncated.jpg"), bytes[..(bytes.Length / 3)]);
        await File.WriteAllTextAsync(Path.Combine(input, "d-notes.txt"), "shift 3, line 2: belt cleaned");
        await File.WriteAllBytesAsync(Path.Combine(input, "e-corrupt.png"), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8]);

        var run = await ProcessRunner.AgentAsync("infer", "--model", Repo.Package("v2"), "--input", input, "--out", temp.File("scores.csv"));

        Assert.True(run.ExitCode == 0, run.Error);
        var rows = ReadCsv(temp.File("scores.csv")).ToDictionary(r => r["file"]);
        Assert.Equal(5, rows.Count);
        Assert.Contains(rows["a-good.jpg"]["decision"], new[] { "auto", "escalate" });
        Assert.Equal("", rows["a-good.jpg"]["error"]);
        Assert.Equal("the file is empty", rows["b-empty.jpg"]["error"]);
        Assert.Contains("truncated", rows["c-truncated.jpg"]["error"], StringComparison.Ordinal);
        Assert.StartsWith("not a decodable image", rows["d-notes.txt"]["error"], StringComparison.Ordinal);
        Assert.NotEqual("", rows["e-corrupt.png"]["error"]);
        foreach (var bad in new[] { "b-empty.jpg", "c-truncated.jpg", "d-notes.txt", "e-corrupt.png" })
        {
            Assert.Equal("error", rows[bad]["decision"]);
            Assert.Equal("", rows[bad]["prediction"]);
        }

        Assert.Contains("scored 5 files", run.Error, StringComparison.Ordinal);
        Assert.Contains("4 errors", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_the_same_rows_to_a_sqlite_table()
    {
        var samples = Path.Combine(Repo.Models, "samples");
        using var temp = new TempDirectory();

        var csv = await ProcessRunner.AgentAsync("infer", "--model", Repo.Package("v2"), "--input", samples, "--out", temp.File("scores.csv"));
        var db = await ProcessRunner.AgentAsync("infer", "--model", Repo.Package("v2"), "--input", samples, "--out", temp.File("scores.db"));

        Assert.True(csv.ExitCode == 0 && db.ExitCode == 0, csv.Error + db.Error);
        var expected = ReadCsv(temp.File("scores.csv"));
        using var connection = new SqliteConnection($"Data Source={temp.File("scores.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT file, prediction, confidence, decision, p_ok, p_cracked, model_version, error FROM scores ORDER BY file";
        using var reader = command.ExecuteReader();
        var actual = new List<(string File, string? Prediction, double? Confidence, string Decision, string Version)>();
        while (reader.Read())
        {
            actual.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetDouble(2), reader.GetString(3), reader.GetString(6)));
        }

        Assert.Equal(expected.Count, actual.Count);
        foreach (var (row, stored) in expected.OrderBy(r => r["file"], StringComparer.Ordinal).Zip(actual))
        {
            Assert.Equal(row["file"], stored.File);
            Assert.Equal(row["decision"], stored.Decision);
            Assert.Equal(row["model_version"], stored.Version);
            Assert.Equal(row["prediction"] == "" ? null : row["prediction"], stored.Prediction);
            if (stored.Confidence is { } confidence)
            {
                Assert.InRange(Math.Abs(double.Parse(row["confidence"], CultureInfo.InvariantCulture) - confidence), 0, 1e-6);
            }
        }
    }

    [Fact]
    public async Task Records_the_devices_automation_level_and_audited_decisions_in_each_row()
    {
        var samples = Path.Combine(Repo.Models, "samples");
        using var temp = new TempDirectory();

        var full = await ProcessRunner.AgentAsync("infer", "--model", Repo.Package("v2"), "--input", samples, "--out", temp.File("full.csv"), "--automation", "full", "--audit-share", "1");
        var human = await ProcessRunner.AgentAsync(
            ["infer", "--model", Repo.Package("v2"), "--input", samples, "--out", temp.File("human.csv")],
            new Dictionary<string, string> { ["EDGEML_DECISIONS__AUTOMATION"] = "human" });

        Assert.True(full.ExitCode == 0 && human.ExitCode == 0, full.Error + human.Error);
        Assert.All(ReadCsv(temp.File("full.csv")), r => Assert.Equal(("audit", "full"), (r["decision"], r["automation"])));
        Assert.All(ReadCsv(temp.File("human.csv")), r => Assert.Equal(("escalate", "human"), (r["decision"], r["automation"])));
    }

    [Fact]
    public async Task Exits_2_for_an_audit_share_outside_0_to_1_before_loading_a_model()
    {
        using var temp = new TempDirectory();

        var run = await ProcessRunner.AgentAsync("infer", "--model", temp.File("nowhere"), "--input", Path.Combine(Repo.Models, "samples"), "--out", temp.File("a.csv"), "--audit-share", "1.5");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: Decisions:AuditShare is 1.5; use 0-1 (a share of automatic decisions)", run.Error.Trim());
    }

    [Fact]
    public async Task Exits_non_zero_with_the_reason_for_a_tampered_model()
    {
        using var temp = new TempDirectory();
        var package = temp.CopyPackage("v2");
        var model = Path.Combine(package, "model.onnx");
        var bytes = await File.ReadAllBytesAsync(model);
        bytes[bytes.Length / 2] ^= 0xff;
        await File.WriteAllBytesAsync(model, bytes);

        var run = await ProcessRunner.AgentAsync("infer", "--model", package, "--input", Path.Combine(Repo.Models, "samples"), "--out", temp.File("scores.csv"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("model.onnx has SHA-256", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File("scores.csv")));
    }

    [Fact]
    public async Task Exits_2_listing_every_manifest_problem_without_a_stack_trace()
    {
        using var temp = new TempDirectory();
        var package = temp.CopyPackage("v2");
        var manifestPath = Path.Combine(package, "manifest.json");
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(manifestPath))!.AsObject();
        manifest.Remove("decision");
        manifest.Remove("sha256");
        manifest["input"]!.AsObject().Remove("mean");
        manifest["input"]!["color_space"] = "gray";
        await File.WriteAllTextAsync(manifestPath, manifest.ToJsonString());

        var run = await ProcessRunner.AgentAsync("infer", "--model", package, "--input", Path.Combine(Repo.Models, "samples"), "--out", temp.File("scores.csv"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("input.mean is missing", run.Error, StringComparison.Ordinal);
        Assert.Contains("input.color_space is not a manifest field (did you mean input.colorSpace?)", run.Error, StringComparison.Ordinal);
        Assert.Contains("decision is missing", run.Error, StringComparison.Ordinal);
        Assert.Contains("sha256 is missing", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exits_non_zero_for_a_missing_model_or_input()
    {
        using var temp = new TempDirectory();

        var noModel = await ProcessRunner.AgentAsync("infer", "--model", temp.File("nowhere"), "--input", Path.Combine(Repo.Models, "samples"), "--out", temp.File("a.csv"));
        var noInput = await ProcessRunner.AgentAsync("infer", "--model", Repo.Package("v2"), "--input", temp.File("nowhere"), "--out", temp.File("b.csv"));

        Assert.Equal(2, noModel.ExitCode);
        Assert.Contains("the directory does not exist", noModel.Error, StringComparison.Ordinal);
        Assert.Equal(2, noInput.ExitCode);
        Assert.Contains("input folder", noInput.Error, StringComparison.Ordinal);
    }

    internal static List<Dictionary<string, string>> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        Assert.Equal(Header, lines[0].Split(','));
        var rows = lines.Skip(1).Select(SplitCsv).ToList();
        Assert.All(rows, fields => Assert.Equal(Header.Length, fields.Count));
        return rows.Select(fields => Header.Zip(fields).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                current.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        fields.Add(current.ToString());
        return fields;
    }
}
