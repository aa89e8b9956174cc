using System.CommandLine;
using EdgeMl.Fleet.Cli;

var root = new RootCommand("EdgeMl fleet server: model registry, device sync and rollouts")
{
    ServeCommand.Create(),
    ModelCommands.Create(),
    DeviceCommands.Create(),
    KeyCommands.Create(),
    RolloutCommands.Create(),
    BenchFleetCommand.Create(),
    BenchTelemetryCommand.Create(),
    MosquittoConfigCommand.Create(),
    InspectorCommands.Create(),
    CaseCommands.Create(),
    TelemetryCommands.Create(),
};
return await root.Parse(args).InvokeAsync();
