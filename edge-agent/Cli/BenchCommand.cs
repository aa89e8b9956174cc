using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EdgeMl.Agent.Bench;
using EdgeMl.Agent.Inference;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Cli;

/// <summary><c>bench</c>: raw runtime ceiling, naive loop, the agent's pipeline and the decoder's limit, measured in one run.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var flags = new InferenceFlags();
        var seconds = new Option<double>("--seconds") { Description = "Seconds each measurement runs", DefaultValueFactory = _ => 10 };
        var json = new Option<string?>("--json") { Description = "Also write the figures to this JSON file" };
        var command = new Command("bench", "Measure throughput, latency and memory of the inference path");
        flags.AddTo(command);
        command.Options.Add(seconds);
        command.Options.Add(json);
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(async loggers =>
        {
            var options = flags.Bind(result);
            if (!(result.GetValue(seconds) is > 0 and <= 3600))
            {
                throw new ArgumentException($"--seconds is {result.GetValue(seconds)}; use more than 0 and at most 3600");
            }

            using var models = flags.LoadModel(result, options, loggers);
            var figures = await new AgentBenchmark(models, options.Workers, options)
                .RunAsync(result.GetRequiredValue(flags.Input), TimeSpan.FromSeconds(result.GetValue(seconds)), cancellationToken);
            Console.Out.Write(Format(figures));
            if (result.GetValue(json) is { } path)
            {
                await File.WriteAllTextAsync(path, JsonSerializer.Serialize(figures, BenchJson.Default.BenchResult), cancellationToken);
            }

            return 0;
        }));
        return command;
    }

    private static string Format(BenchResult r) => string.Create(CultureInfo.InvariantCulture, $"""
        model {r.Model} on {r.ExecutionProvider}, {r.Workers} workers, frames {r.FrameSize}
          (a) raw ONNX Runtime, ready tensors  {Show(r.RawOrtIps, "F1"),9} images/s
          (b) naive decode-resize-run loop    {Show(r.NaiveIps, "F1"),9} images/s
          (c) agent pipeline                  {Show(r.AgentIps, "F1"),9} images/s  ({r.AgentFrames} frames, {r.AgentErrors} errors)
          (d) agent pipeline with heatmaps    {Show(r.HeatmapFramesIps, "F1"),9} images/s  ({Show(r.HeatmapsPerSecond, "F2")} heatmaps/s at {Show(r.HeatmapMs, "F0")} ms each, {r.HeatmapsDropped} dropped unexplained)
          (e) decoder limit, decode only      {Show(r.DecodeLimitIps, "F1"),9} images/s  ({r.JpegDecoder}, scale {r.DecodeScale})
          (f) decoder limit with inference    {Show(r.DecodeInferenceLimitIps, "F1"),9} images/s  (the agent reaches {Show(Ratio.Of(r.AgentIps, r.DecodeInferenceLimitIps) * 100, "F1")} % of it)
              in {r.LimitShares.Count} paired rounds (limit, then agent): {string.Join(", ", r.LimitShares.Select(s => Show(s * 100, "F1") + " %"))}; median {Show(r.LimitShareMedian * 100, "F1")} %
          ratios: agent/naive {Show(Ratio.Of(r.AgentIps, r.NaiveIps), "F2")}x, agent/raw {Show(Ratio.Of(r.AgentIps, r.RawOrtIps), "F2")}
          latency end to end: p50 {Show(r.P50Ms, "F2")} ms, p95 {Show(r.P95Ms, "F2")} ms, p99 {Show(r.P99Ms, "F2")} ms
          per frame: decode+preprocess {Show(r.DecodeMs, "F2")} ms, inference {Show(r.InferenceMs, "F2")} ms, outside both {Show(r.OutsideShare * 100, "F1")} %
          peak RSS {Show(r.PeakRssMb, "F1")} MB, managed allocation {Show(r.AllocatedBytesPerFrame, "F0")} bytes/frame

        """);

    private static string Show(double? figure, string format) => figure?.ToString(format, CultureInfo.InvariantCulture) ?? "n/a";
}
