using System.Text.Json.Serialization;

namespace EdgeMl.Fleet.Bench;

/// <summary>The figures of one <c>bench-fleet</c> run; the JSON names are the contract of <c>bench-fleet --json</c>. KB and MB are 1024-based.</summary>
internal sealed record FleetBenchResult
{
    [JsonPropertyName("devices")]
    public int Devices { get; init; }

    [JsonPropertyName("seconds_to_desired_state")]
    public double SecondsToDesiredState { get; init; }

    [JsonPropertyName("server_kb_per_device")]
    public double ServerKbPerDevice { get; init; }

    [JsonPropertyName("download_mb_per_s")]
    public double DownloadMbPerSecond { get; init; }

    [JsonPropertyName("server_rss_before_mb")]
    public double ServerRssBeforeMb { get; init; }

    [JsonPropertyName("server_rss_after_mb")]
    public double ServerRssAfterMb { get; init; }

    /// <summary>From the rollout call to the first device holding the new state: storing it, before any fan-out.</summary>
    [JsonPropertyName("seconds_to_first_device")]
    public double SecondsToFirstDevice { get; init; }

    /// <summary>Processor seconds the server used from the rollout call to the first device: planning and storing the rollout.</summary>
    [JsonPropertyName("server_cpu_seconds_to_first_device")]
    public double ServerCpuSecondsToFirst { get; init; }

    /// <summary>Processor seconds the server used from the first device to the last: signing and sending.</summary>
    [JsonPropertyName("server_cpu_seconds_fan_out")]
    public double ServerCpuSecondsFanOut { get; init; }

    /// <summary>Processor seconds the simulated devices (the benchmark's process) used from the first device to the last: receiving and verifying.</summary>
    [JsonPropertyName("devices_cpu_seconds_fan_out")]
    public double DevicesCpuSecondsFanOut { get; init; }

    /// <summary>The machine's one-minute load average when the last device had the state.</summary>
    [JsonPropertyName("load_average")]
    public double LoadAverage { get; init; }

    [JsonPropertyName("download_clients")]
    public int DownloadClients { get; init; }

    [JsonPropertyName("download_bundle_mb")]
    public double DownloadBundleMb { get; init; }
}
