using System.CommandLine;
using EdgeMl.Agent.Cli;

var root = new RootCommand("EdgeMl edge agent: scores frames on the line device")
{
    InferCommand.Create(),
    BenchCommand.Create(),
    CheckCommand.Create(),
    RunCommand.Create(),
    BenchTelemetryCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
