using EdgeMl.Agent.Capture;
using EdgeMl.Agent.Cli;
using EdgeMl.Agent.Configuration;
using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Outcomes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Sync;

/// <summary>The long-running agent: restore the last model, keep in sync with the fleet, score frames. Only wiring here.</summary>
public static class AgentHost
{
    public static IHost Build(AgentOptions agent, InferenceOptions inference, TimeProvider? time = null, Action<IServiceCollection>? configure = null, DecisionOptions? decisions = null)
    {
        decisions ??= new DecisionOptions();
        SettingsProblems.ThrowIfAny(agent.Validate().Concat(inference.Validate()).Concat(decisions.Validate()));

        Directory.CreateDirectory(agent.DataDirectory);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsoleDefaults();
        var services = builder.Services;
        services.AddSingleton(Options.Create(agent));
        services.AddSingleton(inference);
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddSingleton(sp => new ModelHolder(sp.GetRequiredService<TimeProvider>(), decisions));
        services.AddSingleton<FrameCounters>();
        services.AddFrameOutcomes();
        services.AddSingleton<FleetConnection>();
        services.AddSingleton<FleetTrust>();
        services.AddSingleton<DeviceEnrolment>();
        services.AddSingleton<StatusReporter>();
        services.AddHostedService(sp => sp.GetRequiredService<StatusReporter>());
        services.AddSingleton<ModelUpdater>();
        services.AddSingleton<FleetSync>();
        services.AddHostedService(sp =>
        {
            sp.GetRequiredService<ModelUpdater>().RestoreFromDisk();
            return sp.GetRequiredService<FleetSync>();
        });
        services.AddHostedService<FrameRunner>();
        configure?.Invoke(services);
        return builder.Build();
    }
}
