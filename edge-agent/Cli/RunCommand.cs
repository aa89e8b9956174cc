using System.CommandLine;
using System.Globalization;
using EdgeMl.Agent.Capture;
using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Escalation;
using EdgeMl.Agent.Explanation;
using EdgeMl.Agent.Http;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.LineIo;
using EdgeMl.Agent.Metrics;
using EdgeMl.Agent.Messaging;
using EdgeMl.Agent.Outbox;
using EdgeMl.Agent.Sync;
using EdgeMl.Agent.Telemetry;
using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Cli;

/// <summary><c>run</c>: the line-device agent, enrolled with a fleet server and scoring a camera's frames.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var server = new Option<string?>("--server") { Description = "Fleet server gRPC address, e.g. http://fleet:7400" };
        var token = new Option<string?>("--token") { Description = "One-time enrolment token (first start only)" };
        var data = new Option<string?>("--data") { Description = "Data directory: identity, models, state (default agent-data)" };
        var input = new Option<string?>("--input") { Description = "Folder to watch for new frames" };
        var replay = new Option<string?>("--replay") { Description = "Folder replayed in a loop as a simulated camera" };
        var camera = new Option<string?>("--camera") { Description = "Live camera: /dev/videoN, rtsp://... or http://... (MJPEG), read through ffmpeg" };
        var fps = new Option<double?>("--fps") { Description = "Frames per second of --replay (default 10)" };
        var tags = new Option<string?>("--tags") { Description = "Tags sent at enrolment, e.g. site=a,line=3" };
        var trusted = new Option<string?>("--trust") { Description = "PEM of the fleet's CA or server certificate, for a server whose TLS certificate is not publicly trusted" };
        var config = new Option<string?>("--config") { Description = "JSON file with Agent, Inference, Decisions, LineIo, Outbox, Cases, Telemetry and Mqtt sections (flags and EDGEML_* win over it)" };
        var ep = new Option<ExecutionProviderKind?>("--ep") { Description = "Execution provider: auto, cpu or cuda" };
        var workers = new Option<int?>("--workers") { Description = "Frames scored in parallel" };
        var intraOpThreads = new Option<int?>("--intra-op-threads") { Description = "Threads inside one model run (default 1)" };
        var automation = new Option<AutomationLevel?>("--automation") { Description = "Who decides: human, shadow, assist, partial (default) or full" };
        var auditShare = new Option<double?>("--audit-share") { Description = "Share of automatic decisions also sent to a person, 0-1 (default 0.02)" };
        var command = new Command("run", "Run the agent: enrol, follow the fleet's desired state, score frames") { server, token, data, input, replay, camera, fps, tags, trusted, config, ep, workers, intraOpThreads, automation, auditShare };
        command.SetAction(async (result, cancellationToken) =>
        {
            var flags = new Dictionary<string, string?>
            {
                ["Agent:Server"] = result.GetValue(server),
                ["Agent:Token"] = result.GetValue(token),
                ["Agent:DataDirectory"] = result.GetValue(data),
                ["Agent:Input"] = result.GetValue(input),
                ["Agent:Replay"] = result.GetValue(replay),
                ["Agent:Camera"] = result.GetValue(camera),
                ["Agent:Fps"] = result.GetValue(fps)?.ToString(CultureInfo.InvariantCulture),
                ["Agent:Tags"] = result.GetValue(tags),
                ["Agent:TrustedCertificate"] = result.GetValue(trusted),
                ["Inference:ExecutionProvider"] = result.GetValue(ep)?.ToString(),
                ["Inference:Workers"] = result.GetValue(workers)?.ToString(CultureInfo.InvariantCulture),
                ["Inference:IntraOpThreads"] = result.GetValue(intraOpThreads)?.ToString(CultureInfo.InvariantCulture),
                ["Decisions:Automation"] = result.GetValue(automation)?.ToString(),
                ["Decisions:AuditShare"] = result.GetValue(auditShare)?.ToString(CultureInfo.InvariantCulture),
            };
            var builder = new ConfigurationBuilder();
            if (result.GetValue(config) is { } file)
            {
                builder.AddJsonFile(Path.GetFullPath(file), optional: false);
            }

            var configuration = builder.AddEnvironmentVariables("EDGEML_").AddInMemoryCollection(flags.Where(f => f.Value is not null)).Build();
            var agent = new AgentOptions();
            configuration.GetSection(AgentOptions.Section).Bind(agent);
            var inference = new InferenceOptions();
            configuration.GetSection(InferenceOptions.Section).Bind(inference);
            var decisions = new DecisionOptions();
            configuration.GetSection(DecisionOptions.Section).Bind(decisions);
            try
            {
                var line = configuration.GetSection(LineIoOptions.Section).Get<LineIoOptions>() ?? new LineIoOptions();
                using var host = AgentHost.Build(agent, inference, decisions: decisions, configure: services => services
                    .AddSingleton(sp => new PartFrames(
                        sp.GetRequiredService<TimeProvider>(),
                        line.PassLabel,
                        id => sp.GetRequiredService<ModelHolder>().Current?.Active is { } m && m.Manifest.Id == id ? m.Labels : null))
                    .AddSingleton<IScoreRequests>(sp => sp.GetRequiredService<PartFrames>())
                    .AddLineIo(configuration)
                    .AddExplanation(configuration, agent.DataDirectory)
                    .AddScoringHttp(configuration, inference.Workers)
                    .AddAgentMetrics(configuration)
                    .AddOutbox(configuration, agent.DataDirectory)
                    .AddCases(configuration)
                    .AddTelemetry(configuration)
                    .AddMessaging(configuration));

                // Line, outbox and telemetry settings are checked before enrolment, not after the first wait for the server.
                _ = host.Services.GetRequiredService<IOptions<LineIoOptions>>().Value;
                _ = host.Services.GetRequiredService<IOptions<OutboxOptions>>().Value;
                _ = host.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
                _ = host.Services.GetRequiredService<IOptions<MqttOptions>>().Value;
                await EnrolAsync(host.Services.GetRequiredService<DeviceEnrolment>(), cancellationToken);
                await host.RunAsync(cancellationToken);
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or DirectoryNotFoundException)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return CommandRunner.UsageError;
            }
            catch (OptionsValidationException e)
            {
                await Console.Error.WriteLineAsync($"error: {string.Join("; ", e.Failures)}");
                return CommandRunner.UsageError;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated)
            {
                await Console.Error.WriteLineAsync($"error: enrolment refused: {e.Status.Detail}");
                return CommandRunner.UsageError;
            }
        });
        return command;
    }

    /// <summary>Enrols before anything else runs; while the server is unreachable it keeps trying, a refused token ends the run.</summary>
    private static async Task EnrolAsync(DeviceEnrolment enrolment, CancellationToken cancellationToken)
    {
        for (var delay = TimeSpan.FromMilliseconds(500); ; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks)))
        {
            try
            {
                await enrolment.EnsureAsync(cancellationToken);
                return;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                await Console.Error.WriteLineAsync($"fleet server unreachable ({e.Status.Detail}); retrying in {delay.TotalSeconds:F1} s");
                await Task.Delay(delay, cancellationToken);
            }
        }
    }
}
