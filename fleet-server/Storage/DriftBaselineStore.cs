using EdgeMl.Contracts.Telemetry;
using Google.Protobuf;

namespace EdgeMl.Fleet.Storage;

/// <summary>Each camera's drift baseline per model version: formed once, kept (the first replica to store it wins).</summary>
internal sealed class DriftBaselineStore(FleetDatabase db)
{
    private const string Insert =
        "INSERT INTO drift_baselines (device_id, model_name, model_version, formed_at, frames, payload) " +
        "VALUES (@device_id, @model_name, @model_version, @formed_at, @frames, @payload) ON CONFLICT (device_id, model_name, model_version) DO NOTHING";

    private const string Select =
        "SELECT payload FROM drift_baselines WHERE device_id = @device_id AND model_name = @model_name AND model_version = @model_version";

    /// <summary>The baseline's merged histograms (in a <see cref="ModelAggregate"/>); null when none is formed yet.</summary>
    public async Task<ModelAggregate?> GetAsync(string deviceId, string modelName, string modelVersion, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(Select)
            .Bind("@device_id", deviceId).Bind("@model_name", modelName).Bind("@model_version", modelVersion)
            .QuerySingleAsync(row => ModelAggregate.Parser.ParseFrom(Convert.FromBase64String(row.GetString(0))), cancellationToken);
    }

    /// <summary>Stores <paramref name="baseline"/> unless one is stored already; returns the one kept.</summary>
    public async Task<ModelAggregate> AddAsync(string deviceId, ModelAggregate baseline, DateTimeOffset formedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        await using (var connection = await db.OpenAsync(cancellationToken))
        {
            await connection.CreateCommand(Insert)
                .Bind("@device_id", deviceId)
                .Bind("@model_name", baseline.ModelName)
                .Bind("@model_version", baseline.ModelVersion)
                .Bind("@formed_at", formedAt)
                .Bind("@frames", checked((long)baseline.Frames))
                .Bind("@payload", Convert.ToBase64String(baseline.ToByteArray()))
                .ExecuteAsync(cancellationToken);
        }

        return await GetAsync(deviceId, baseline.ModelName, baseline.ModelVersion, cancellationToken) ?? baseline;
    }
}
