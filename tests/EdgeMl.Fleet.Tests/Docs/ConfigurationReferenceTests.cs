using EdgeMl.Fleet.Cli;
using EdgeMl.Fleet.Hosting;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Tests.Shared;

namespace EdgeMl.Fleet.Tests.Docs;

public sealed class ConfigurationReferenceTests
{
    [Fact]
    public void Configuration_reference_lists_every_fleet_server_option_as_the_options_classes_define_it()
    {
        var problems = new List<string>();
        var generated = ConfigurationReference.Render(typeof(FleetServerOptions).Assembly, [ServeCommand.Create()], problems);

        Assert.Empty(problems);
        ConfigurationReference.AssertDocumented(RepoPaths.Root, "fleet-server", generated);
    }
}
