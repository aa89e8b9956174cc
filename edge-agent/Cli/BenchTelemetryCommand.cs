using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EdgeMl.Agent.Capture;
using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Outbox;
using EdgeMl.Agent.Outcomes;
using EdgeMl.Agent.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeMl.Agent.Cli;

/// <summary>
/// <c>bench-telemetry</c>: the CPU the telemetry path costs at a frame rate, as a share of one core: each outcome dispatched to
/// the aggregator's queue and counted, each interval's aggregate spooled (serialized, written durably to the outbox). The
/// process does nothing else, so its CPU time over the run is that cost (an upper bound: the pacing loop and the runtime count too).
/// </summary>
internal static class BenchTelemetryCommand
{
    public static Command Create()
    {
        var fps = new Option<double>("--fps") { Description = "Frames per second fed to the telemetry path", DefaultValueFactory = _ => 60 };
        var seconds = new Option<double>("--seconds") { Description = "How long to measure", DefaultValueFactory = _ => 30 };
        var command = new Command("bench-telemetry", "Measure the CPU the telemetry path (aggregator and outbox spooling) costs at a frame rate") { fps, seconds };
        command.SetAction(async (result, cancellationToken) =>
        {
            var rate = result.GetValue(fps);
            var duration = TimeSpan.FromSeconds(result.GetValue(seconds));
            if (rate is <= 0 or > 10_000 || duration <= TimeSpan.Zero)
            {
                await Console.Error.WriteLineAsync("error: --fps must be between 0 and 10000 and --seconds positive");
                return CommandRunner.UsageError;
            }

            var directory = Directory.CreateTempSubdirectory("edgeml-bench-telemetry-").FullName;
            try
            {
                var configuration = new ConfigurationBuilder().Build();
                var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
                builder.Services.AddSingleton(TimeProvider.System).AddSingleton<FrameCounters>().AddOutbox(configuration, directory).AddTelemetry(configuration);
                using var host = builder.Build();
                await host.StartAsync(cancellationToken);
                var dispatcher = host.Services.GetRequiredService<FrameOutcomeDispatcher>();
                var outbox = host.Services.GetRequiredService<OutboxStore>();
                var outcome = new FrameOutcome(
                    "bench", DateTimeOffset.UtcNow, new ModelVersionId("crack-detector", "v2"), ["ok", "cracked"], [0.93f, 0.07f],
                    new Verdict(0, 0.93f, Decision.Auto), new FrameLatencies(TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(6), TimeSpan.FromMilliseconds(9)),
                    new InputStatistics(120, 30, 6), null, "cpu", null);
                // The same paced loop without frames first: the process's idle cost (timer, runtime) is not the telemetry's.
                var (idle, _, _) = await MeasureAsync(null, rate, duration, cancellationToken);
                var (used, frames, elapsed) = await MeasureAsync(() => dispatcher.Publish(outcome), rate, duration, cancellationToken);
                var spooled = outbox.Usage.Messages;
                await host.StopAsync(CancellationToken.None);
                var cost = used - idle;
                await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"telemetry path at {frames / elapsed.TotalSeconds:F1} frames/s for {elapsed.TotalSeconds:F0} s: {100 * cost / elapsed:F2} % of one core ({cost.TotalMicroseconds / frames:F1} us CPU per frame; the process idling at that pace: {100 * idle / elapsed:F2} %), {spooled} aggregates spooled"));
                return 0;
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        });
        return command;
    }

    /// <summary>CPU time of the process while <paramref name="frame"/> runs at <paramref name="rate"/> per second (nothing when null).</summary>
    private static async Task<(TimeSpan Cpu, long Frames, TimeSpan Elapsed)> MeasureAsync(Action? frame, double rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var pace = new PeriodicTimer(TimeSpan.FromSeconds(1 / rate));
        var cpu = Environment.CpuUsage.TotalTime;
        var clock = Stopwatch.StartNew();
        long frames = 0;
        while (clock.Elapsed < duration && await pace.WaitForNextTickAsync(cancellationToken))
        {
            frame?.Invoke();
            frames++;
        }

        return (Environment.CpuUsage.TotalTime - cpu, frames, clock.Elapsed);
    }
}
