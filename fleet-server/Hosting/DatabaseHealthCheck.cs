using EdgeMl.Fleet.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EdgeMl.Fleet.Hosting;

/// <summary>Healthy when the fleet database answers a query.</summary>
internal sealed class DatabaseHealthCheck(FleetStores stores) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await stores.Database.OpenAsync(cancellationToken);
            await connection.CreateCommand("SELECT 1").ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"database: {e.Message}");
        }
    }
}
