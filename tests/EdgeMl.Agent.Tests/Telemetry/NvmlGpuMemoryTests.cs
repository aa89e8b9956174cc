using EdgeMl.Agent.Telemetry;
using EdgeMl.Agent.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Tests.Telemetry;

/// <summary>
/// The NVML reader where NVML cannot answer (this machine has no NVIDIA driver): no figure, one warning, no exception.
/// Reading a real GPU's figure needs a CUDA device and is not tested here.
/// </summary>
public sealed class NvmlGpuMemoryTests
{
    [Fact]
    public void Reports_no_figure_and_says_why_once_when_the_library_is_missing()
    {
        var logger = new ListLogger<NvmlGpuMemory>();
        using var gpu = new NvmlGpuMemory("libnvidia-ml-absent.so.1", logger);

        Assert.Null(gpu.Sample());
        Assert.Null(gpu.Sample());

        Assert.Contains("libnvidia-ml-absent.so.1 could not be loaded", gpu.Unavailable, StringComparison.Ordinal);
        var warning = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
    }

    [Fact]
    public void Reports_no_figure_when_the_library_lacks_nvml_s_functions()
    {
        // A library that loads but is not NVML, as an old or broken driver install would be.
        var logger = new ListLogger<NvmlGpuMemory>();
        using var gpu = new NvmlGpuMemory("libc.so.6", logger);

        Assert.Null(gpu.Sample());

        Assert.Contains("has no nvmlInit_v2", gpu.Unavailable, StringComparison.Ordinal);
        Assert.Single(logger.Entries);
    }
}
