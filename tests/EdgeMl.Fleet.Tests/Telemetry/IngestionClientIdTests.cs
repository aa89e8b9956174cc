using EdgeMl.Fleet.Hosting;
using EdgeMl.Fleet.Telemetry;

namespace EdgeMl.Fleet.Tests.Telemetry;

public sealed class IngestionClientIdTests
{
    [Fact]
    public void Replicas_sharing_a_data_directory_on_one_host_get_different_ids_and_a_restarted_replica_its_old_one()
    {
        var first = new FleetServerOptions { DataDirectory = "shared-data", GrpcPort = 7400 };
        var second = new FleetServerOptions { DataDirectory = "shared-data", GrpcPort = 7410 };
        var firstRestarted = new FleetServerOptions { DataDirectory = "shared-data", GrpcPort = 7400 };

        Assert.NotEqual(TelemetryIngestion.ReplicaId(first), TelemetryIngestion.ReplicaId(second));
        Assert.Equal(TelemetryIngestion.ReplicaId(first), TelemetryIngestion.ReplicaId(firstRestarted));
    }
}
