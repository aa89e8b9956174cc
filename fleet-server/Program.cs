using System.CommandLine;
using EdgeMl.Fleet.Cli;
using EdgeMl.Fleet.Security;

var root = new RootCommand("EdgeMl fleet server: model registry, device sync and rollouts")
{
    ServeCommand.Create(),
    ModelCommands.Create(),
    DeviceCommands.Create(),
    KeyCommands.Create(),
    RolloutCommands.Create(),
    BenchFleetCommand.Create(),
    BenchDriftCommand.Create(),
    BenchTelemetryCommand.Create(),
    MosquittoConfigCommand.Create(),
    AccountCommands.Create(Account.Inspector),
    AccountCommands.Create(Account.Admin),
    CaseCommands.Create(),
    AlertCommands.Create(),
    DatasetCommands.Create(),
    TelemetryCommands.Create(),
};
return await root.Parse(args).InvokeAsync();
