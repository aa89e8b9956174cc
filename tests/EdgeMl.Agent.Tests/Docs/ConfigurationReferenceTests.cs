using EdgeMl.Agent.Cli;
using EdgeMl.Agent.Sync;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Tests.Shared;

namespace EdgeMl.Agent.Tests.Docs;

public sealed class ConfigurationReferenceTests
{
    [Fact]
    public void Configuration_reference_lists_every_agent_option_as_the_options_classes_define_it()
    {
        var problems = new List<string>();
        var generated = ConfigurationReference.Render(
            typeof(AgentOptions).Assembly,
            [InferCommand.Create(), BenchCommand.Create(), CheckCommand.Create(), RunCommand.Create()],
            problems);

        Assert.Empty(problems);
        ConfigurationReference.AssertDocumented(Repo.Root, "edge-agent", generated);
    }

    [Fact]
    public void Configuration_reference_reports_a_flag_that_no_command_takes()
    {
        var problems = new List<string>();

        ConfigurationReference.Render(typeof(AgentOptions).Assembly, [InferCommand.Create()], problems);

        Assert.Contains("Agent:Server: no command has the flag --server", problems);
        Assert.Contains("Inference:CrossCheckTolerance: no command has the flag --tolerance on check", problems);
        Assert.DoesNotContain(problems, p => p.StartsWith("Inference:Workers", StringComparison.Ordinal));
    }
}
