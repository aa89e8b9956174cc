using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Telemetry;

/// <summary>
/// The GPU memory this process holds, summed over the GPUs, from NVML (the driver's own library; ONNX Runtime's C# API
/// does not report it). Loaded on first use, so a CPU-only agent never touches it. Where the library is absent or a call
/// fails, it says why once and reports nothing from then on: the figure is optional, scoring is not.
/// </summary>
internal sealed unsafe partial class NvmlGpuMemory(string library, ILogger<NvmlGpuMemory> logger) : IDisposable
{
    /// <summary>The driver's library, as the CUDA driver packages install it.</summary>
    public const string Library = "libnvidia-ml.so.1";

    private const int Success = 0;
    private const int InsufficientSize = 7;

    // NVML_VALUE_NOT_AVAILABLE: the driver cannot attribute memory to the process (e.g. under some virtualisation).
    private const ulong NotAvailable = ulong.MaxValue;

    private readonly Lock _gate = new();
    private nint _handle;
    private bool _tried;
    private delegate* unmanaged<int> _shutdown;
    private delegate* unmanaged<uint*, int> _deviceCount;
    private delegate* unmanaged<uint, nint*, int> _deviceHandle;
    private delegate* unmanaged<nint, uint*, ProcessInfo*, int> _processes;
    private ProcessInfo[] _buffer = new ProcessInfo[16];

    /// <summary>Why no figure is reported; null while NVML works (or was not needed yet).</summary>
    public string? Unavailable { get; private set; }

    /// <summary>Bytes of GPU memory the process uses now; null when NVML is unavailable or does not list the process.</summary>
    public ulong? Sample()
    {
        lock (_gate)
        {
            if (!_tried)
            {
                _tried = true;
                Open();
            }

            if (Unavailable is not null)
            {
                return null;
            }

            var used = Read();
            return Unavailable is null ? used : null;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_handle != 0)
            {
                // Only an initialised NVML is shut down.
                if (_shutdown is not null)
                {
                    _ = _shutdown();
                }

                NativeLibrary.Free(_handle);
                _handle = 0;
            }
        }
    }

    private void Open()
    {
        if (!NativeLibrary.TryLoad(library, out _handle))
        {
            GiveUp($"{library} could not be loaded (no NVIDIA driver on this device)");
            return;
        }

        if (!TryExport("nvmlInit_v2", out var init) || !TryExport("nvmlShutdown", out var shutdown) || !TryExport("nvmlDeviceGetCount_v2", out var count)
            || !TryExport("nvmlDeviceGetHandleByIndex_v2", out var handle) || !TryExport("nvmlDeviceGetComputeRunningProcesses_v3", out var processes))
        {
            return;
        }

        var initialised = ((delegate* unmanaged<int>)init)();
        if (initialised != Success)
        {
            GiveUp($"nvmlInit_v2 returned {initialised}");
            return;
        }

        _shutdown = (delegate* unmanaged<int>)shutdown;
        _deviceCount = (delegate* unmanaged<uint*, int>)count;
        _deviceHandle = (delegate* unmanaged<uint, nint*, int>)handle;
        _processes = (delegate* unmanaged<nint, uint*, ProcessInfo*, int>)processes;
    }

    private bool TryExport(string name, out nint address)
    {
        if (NativeLibrary.TryGetExport(_handle, name, out address))
        {
            return true;
        }

        GiveUp($"{library} has no {name} (a driver older than NVML 11.4)");
        return false;
    }

    private ulong? Read()
    {
        uint devices;
        if (Call("nvmlDeviceGetCount_v2", _deviceCount(&devices)))
        {
            return null;
        }

        var self = (uint)Environment.ProcessId;
        ulong? total = null;
        for (uint index = 0; index < devices; index++)
        {
            nint device;
            if (Call("nvmlDeviceGetHandleByIndex_v2", _deviceHandle(index, &device)))
            {
                return null;
            }

            var listed = Processes(device);
            if (listed < 0)
            {
                return null;
            }

            for (var i = 0; i < listed; i++)
            {
                if (_buffer[i].Pid == self && _buffer[i].UsedGpuMemory != NotAvailable)
                {
                    total = (total ?? 0) + _buffer[i].UsedGpuMemory;
                }
            }
        }

        // Not listed: no CUDA context yet, or a PID namespace hides the host's process id from the driver.
        return total;
    }

    // The compute processes of one GPU into _buffer, grown while the driver says it is too small; -1 after a failure.
    private int Processes(nint device)
    {
        while (true)
        {
            var count = (uint)_buffer.Length;
            int result;
            fixed (ProcessInfo* buffer = _buffer)
            {
                result = _processes(device, &count, buffer);
            }

            if (result == InsufficientSize)
            {
                _buffer = new ProcessInfo[count + 16];
                continue;
            }

            return Call("nvmlDeviceGetComputeRunningProcesses_v3", result) ? -1 : (int)count;
        }
    }

    // True (and NVML given up) when the call failed.
    private bool Call(string function, int result)
    {
        if (result == Success)
        {
            return false;
        }

        GiveUp($"{function} returned {result}");
        return true;
    }

    private void GiveUp(string reason)
    {
        Unavailable = reason;
        LogUnavailable(logger, reason);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "GPU memory is not reported in telemetry: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    // nvmlProcessInfo_t of NVML 11.4 and later, which the _v3 call fills.
    [StructLayout(LayoutKind.Sequential)]
    private struct ProcessInfo
    {
        public uint Pid;
        public ulong UsedGpuMemory;
        public uint GpuInstanceId;
        public uint ComputeInstanceId;
    }
}
