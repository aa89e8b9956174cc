using System.Device.Gpio;
using EdgeMl.Agent.Capture;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.LineIo;
using EdgeMl.Agent.Pipeline;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Agent.Tests.LineIo;
using EdgeMl.Contracts.Packaging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeMl.Agent.Tests.Capture;

/// <summary>The run-mode wiring end to end: trigger, the next replayed camera frame scored by the real model, the gate.</summary>
public sealed class LineFromPipelineTests
{
    [Fact]
    public async Task Steers_a_triggered_part_by_the_verdict_of_the_frame_scored_after_the_trigger()
    {
        var time = TimeProvider.System;
        using var models = new ModelHolder(LoadedModel.Load(ModelPackage.Load(Repo.Package("v2")), new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu, WarmupRuns = 1 }), time);
        var chip = new SimulatedGpioChip(time);
        using var gpio = new GpioController(chip);
        var parts = new PartFrames(time, "ok", id => models.Current?.Active is { } m && m.Manifest.Id == id ? m.Labels : null);
        var options = new LineIoOptions
        {
            Enabled = true,
            TriggerPin = 17,
            RejectPin = 22,
            HoldPin = 23,
            ReleasePin = 24,
            ScrapPin = 25,
            Debounce = TimeSpan.FromMilliseconds(1),

            // Generous: this machine's scoring time is not under test, only that the decision reaches the gate.
            VerdictDeadline = TimeSpan.FromSeconds(30),
            GatePulse = TimeSpan.FromMilliseconds(10),
        };
        using var router = new PartRouter(gpio, options, parts, time, NullLogger<PartRouter>.Instance);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var camera = new ReplaySource(Path.Combine(Repo.Models, "samples"), 20, time, new FrameCounters());
        var running = new FramePipeline(models, workers: 1).RunAsync(
            camera,
            slot =>
            {
                if (parts.Match(slot) is { } part)
                {
                    router.Decide(part);
                }
            },
            stop.Token);

        chip.Drive(options.TriggerPin.Value, PinValue.High);
        await Poll.UntilAsync(() => router.Passed + router.Rejected + router.Held == 1, "the part to be steered", stop.Token);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);

        Assert.Equal(0, router.TimedOut);
        Assert.Equal(router.Rejected, chip.Pulses(options.RejectPin.Value).Count());
        Assert.Equal(router.Held, chip.Pulses(options.HoldPin.Value).Count());
    }
}
