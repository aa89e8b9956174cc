using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using EdgeMl.Fleet.Telemetry;

namespace EdgeMl.Fleet.Bench;

/// <summary>
/// One simulated device of <c>bench-telemetry</c>: its own TCP connection and enrolled credential, speaking just enough MQTT 5
/// (CONNECT, PUBLISH at QoS 1, PUBACK) to publish pre-encoded aggregates one at a time, each only after the broker acknowledged
/// the one before, as the agent does. A load generator, not the thing measured: it shares the two cores with the broker and
/// the ingestion it drives, so <see cref="PublishAll"/> drives every device from one thread over its own epoll set.
/// </summary>
internal sealed class BenchMqttDevice : IDisposable
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromMinutes(10);

    private readonly Socket _socket;
    private readonly byte[] _receive = new byte[256];
    private int _received;
    private int _consumed;

    private BenchMqttDevice(Socket socket, string deviceId)
    {
        _socket = socket;
        DeviceId = deviceId;
    }

    public string DeviceId { get; }

    /// <summary>
    /// Connects with blocking calls, so that the socket never joins .NET's own epoll set (whose thread would then wake for
    /// every PUBACK as well), and leaves it non-blocking for <see cref="PublishAll"/>.
    /// </summary>
    public static BenchMqttDevice Connect(string host, int port, string deviceId, string secret)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var device = new BenchMqttDevice(socket, deviceId);
        try
        {
            socket.Connect(host, port);
            socket.Send(MqttWire.ConnectPacket(deviceId, deviceId, secret, cleanStart: true, KeepAlive, TimeSpan.Zero, ushort.MaxValue));
            byte type;
            int start, length;
            while (!device.TryTakePacket(out type, out start, out length))
            {
                device.Receive(socket.Receive(device._receive, device._received, device._receive.Length - device._received, SocketFlags.None));
            }

            // CONNACK: acknowledge flags, then the reason code (0 is success).
            if (type != MqttWire.ConnAck || length < 2 || device._receive[start + 1] != 0)
            {
                throw new InvalidOperationException($"the broker refused device {deviceId}'s connection (reason 0x{(length > 1 ? device._receive[start + 1] : 0):X2})");
            }

            socket.Blocking = false;
            return device;
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>A device's PUBLISH packets (QoS 1, packet ids 1, 2, ...), encoded before the clock starts.</summary>
    public static byte[][] PublishPackets(string topic, IReadOnlyList<byte[]> payloads)
    {
        var packets = new byte[payloads.Count][];
        for (var i = 0; i < payloads.Count; i++)
        {
            packets[i] = MqttWire.PublishPacket(topic, (ushort)((i % ushort.MaxValue) + 1), payloads[i]);
        }

        return packets;
    }

    /// <summary>
    /// Every device sends its packets in order, each after the PUBACK of the one before; completes when all are acknowledged. One
    /// thread of its own waits on an epoll set of every connection: a PUBACK costs one wake-up shared with the others, one read
    /// and the next packet's write, where an asynchronous read per device cost a failed read, a thread-pool hop and the read. A
    /// refusal (reason code 0x80 or above), a closed connection or a cancelled token fails it.
    /// </summary>
    public static Task PublishAllAsync(IReadOnlyList<BenchMqttDevice> devices, IReadOnlyList<byte[][]> packets, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => PublishAll(devices, packets, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>This device alone sends its packets (<see cref="PublishAllAsync"/>).</summary>
    public Task PublishAsync(byte[][] packets, CancellationToken cancellationToken) => PublishAllAsync([this], [packets], cancellationToken);

    public void Dispose() => _socket.Dispose();

    private static void PublishAll(IReadOnlyList<BenchMqttDevice> devices, IReadOnlyList<byte[][]> packets, CancellationToken cancellationToken)
    {
        using var epoll = new Epoll();
        var next = new int[devices.Count];
        var left = 0;
        for (var d = 0; d < devices.Count; d++)
        {
            if (packets[d].Length > 0)
            {
                epoll.Add(devices[d]._socket, d);
                devices[d].Send(packets[d][next[d]++]);
                left++;
            }
        }

        var ready = new List<int>();
        while (left > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            epoll.Wait(ready, TimeSpan.FromMilliseconds(200));
            foreach (var d in ready)
            {
                var device = devices[d];
                device.Receive(device._socket.Receive(device._receive.AsSpan(device._received), SocketFlags.None, out var error), error);
                while (device.TryTakePacket(out var type, out var start, out var length))
                {
                    device.CheckPubAck(type, device._receive.AsSpan(start, length));
                    if (next[d] < packets[d].Length)
                    {
                        device.Send(packets[d][next[d]++]);
                    }
                    else
                    {
                        epoll.Remove(device._socket);
                        left--;
                    }
                }
            }
        }
    }

    private void Send(byte[] packet)
    {
        // One packet in flight per connection: the socket's buffer always has room, so a short write means something broke.
        var sent = _socket.Send(packet, SocketFlags.None, out var error);
        if (error != SocketError.Success || sent != packet.Length)
        {
            throw new InvalidOperationException($"device {DeviceId} could not send its aggregate ({error}, {sent} of {packet.Length} bytes)");
        }
    }

    private void Receive(int read, SocketError error = SocketError.Success)
    {
        if (error != SocketError.Success || read == 0)
        {
            throw new InvalidOperationException($"the broker closed device {DeviceId}'s connection ({error})");
        }

        _received += read;
    }

    private void CheckPubAck(byte type, ReadOnlySpan<byte> body)
    {
        if (type != MqttWire.PubAck || body.Length < 2)
        {
            throw new InvalidOperationException($"device {DeviceId} expected a PUBACK and got packet type 0x{type:X2}");
        }

        // Packet id, then a reason code when the broker sends one (absent means success).
        if (body.Length > 2 && body[2] >= 0x80)
        {
            throw new InvalidOperationException($"the broker refused device {DeviceId}'s aggregate (reason 0x{body[2]:X2})");
        }
    }

    /// <summary>
    /// Takes a whole packet off the front of the buffer when one has arrived: the previous one is dropped first, so a body
    /// handed out stays where it is until the next read.
    /// </summary>
    private bool TryTakePacket(out byte type, out int start, out int length)
    {
        type = 0;
        if (_consumed > 0)
        {
            _receive.AsSpan(_consumed, _received - _consumed).CopyTo(_receive);
            _received -= _consumed;
            _consumed = 0;
        }

        if (!MqttWire.TryFrame(_receive.AsSpan(0, _received), out start, out length))
        {
            if (_received == _receive.Length)
            {
                throw new InvalidOperationException($"device {DeviceId} received a packet longer than a simulated device reads");
            }

            return false;
        }

        type = (byte)(_receive[0] & 0xF0);
        _consumed = start + length;
        return true;
    }

    /// <summary>A level-triggered epoll set of sockets, each tagged with an index (Linux's epoll(7) through libc).</summary>
    private sealed class Epoll : IDisposable
    {
        private const int CtlAdd = 1;
        private const int CtlDel = 2;
        private const uint In = 0x001;
        private const int MaxEvents = 256;

        // struct epoll_event is packed on x86-64 (4-byte events, then the 8-byte data) and naturally aligned elsewhere.
        private static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
        private static readonly int DataOffset = EventSize - 8;

        private readonly int _fd;
        private readonly byte[] _events = new byte[MaxEvents * EventSize];
        private readonly byte[] _event = new byte[EventSize];

        public Epoll()
        {
            _fd = EpollCreate1(0);
            if (_fd < 0)
            {
                throw new InvalidOperationException($"epoll_create1 failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }

        public void Add(Socket socket, int index) => Control(CtlAdd, socket, index);

        public void Remove(Socket socket) => Control(CtlDel, socket, 0);

        /// <summary>The indexes of the sockets with something to read; none when the timeout passed first.</summary>
        public void Wait(List<int> ready, TimeSpan timeout)
        {
            ready.Clear();
            var count = EpollWait(_fd, _events, MaxEvents, (int)timeout.TotalMilliseconds);
            if (count < 0 && Marshal.GetLastPInvokeError() != 4 /* EINTR */)
            {
                throw new InvalidOperationException($"epoll_wait failed (errno {Marshal.GetLastPInvokeError()})");
            }

            for (var i = 0; i < count; i++)
            {
                ready.Add((int)BinaryPrimitives.ReadUInt64LittleEndian(_events.AsSpan((i * EventSize) + DataOffset)));
            }
        }

        public void Dispose() => _ = Close(_fd);

        private void Control(int operation, Socket socket, int index)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_event, In);
            BinaryPrimitives.WriteUInt64LittleEndian(_event.AsSpan(DataOffset), (ulong)index);
            if (EpollCtl(_fd, operation, (int)socket.Handle, _event) != 0)
            {
                throw new InvalidOperationException($"epoll_ctl failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }

        [DllImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int EpollCreate1(int flags);

        [DllImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int EpollCtl(int epfd, int op, int fd, byte[] ev);

        [DllImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int EpollWait(int epfd, [Out] byte[] events, int maxEvents, int timeout);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int Close(int fd);
    }
}
