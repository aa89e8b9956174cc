using System.Collections.Concurrent;
using EdgeMl.Contracts.Signing;
using EdgeMl.Protos.Fleet;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace EdgeMl.Fleet.Bench;

/// <summary>
/// N light devices in this process: one WatchDesiredState stream each, authenticated as the device, checking each state as an agent does,
/// spread over several HTTP/2 channels as a fleet's devices would be over many connections.
/// </summary>
internal sealed class SimulatedFleet : IAsyncDisposable
{
    private const int StreamsPerChannel = 500;

    // Devices come online over time, not all in one instant: a reconnect storm would measure the storm, not the steady state.
    private const int ConnectingAtOnce = 200;

    private readonly int _devices;
    private readonly byte[] _signingKey;
    private readonly VerifiedBatchRoots _roots;
    private readonly ConcurrentDictionary<(ByteString Payload, ByteString Signature), bool> _verified = new();
    private readonly GrpcChannel[] _channels;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _connecting = new(ConnectingAtOnce);
    private readonly List<Task> _streams = [];
    private int _failed;
    private string? _firstFailure;

    public SimulatedFleet(string address, int devices, byte[] signingKey)
    {
        _devices = devices;
        _signingKey = signingKey;
        _roots = new VerifiedBatchRoots(signingKey);
        Arrivals = new StateArrivals(devices);
        _channels = [.. Enumerable.Range(0, (devices + StreamsPerChannel - 1) / StreamsPerChannel).Select(_ => GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            },
            DisposeHttpClient = true,
        }))];
    }

    public StateArrivals Arrivals { get; }

    public int Failed => Volatile.Read(ref _failed);

    public string? FirstFailure => Volatile.Read(ref _firstFailure);

    /// <summary>Opens every device's stream and returns once each has received its first desired state.</summary>
    public async Task ConnectAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            for (var device = 0; device < _devices; device++)
            {
                await _connecting.WaitAsync(deadline.Token);
                _streams.Add(WatchAsync(device));
            }

            await Arrivals.AllConnected.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"after {timeout.TotalSeconds:F0} s {Arrivals.ConnectedCount} of {_devices} devices are connected; {Failed} streams failed, the first with: {FirstFailure ?? "-"}");
        }
    }

    private async Task WatchAsync(int device)
    {
        var connected = false;
        try
        {
            var headers = new Metadata { { "x-edgeml-device", BenchDevices.Id(device) }, { "authorization", "Bearer " + BenchDevices.Secret(device) } };
            var client = new DeviceService.DeviceServiceClient(_channels[device / StreamsPerChannel]);
            using var call = client.WatchDesiredState(new WatchDesiredStateRequest(), headers, cancellationToken: _stop.Token);
            await foreach (var signed in call.ResponseStream.ReadAllAsync(_stop.Token))
            {
                if (Verify(device, signed) is not { } state)
                {
                    // A state the device would refuse has not reached it: it counts as a failed stream, not as an arrival.
                    return;
                }

                if (Arrivals.Received(device, state))
                {
                    connected = true;
                    _connecting.Release();
                }
            }
        }
        catch (Exception e) when (_stop.IsCancellationRequested && e is RpcException or OperationCanceledException)
        {
            // The benchmark is over.
        }
        catch (RpcException e)
        {
            Fail(device, $"{e.Status.Detail} ({e.StatusCode})");
        }
        finally
        {
            if (!connected)
            {
                _connecting.Release();
            }
        }
    }

    /// <summary>
    /// The device's check of a state, as the agent makes it (<see cref="StateBinding.Open(SignedDesiredState, string, VerifiedBatchRoots, out string?)"/>):
    /// its binding in a batch the fleet signed, for its id and for this payload, and the payload signed by the fleet. A real device
    /// verifies the signatures on its own processor; here the devices share this process's two, so each distinct signed payload
    /// and batch root is verified once, not once per device.
    /// </summary>
    private DesiredState? Verify(int device, SignedDesiredState signed)
    {
        if (StateBinding.Open(signed, BenchDevices.Id(device), _roots, out var refusal) is null)
        {
            Fail(device, $"refused the state: {refusal}");
            return null;
        }

        if (!_verified.ContainsKey((signed.Payload, signed.Signature)))
        {
            if (!FleetKey.Verify(_signingKey, signed.Payload.Span, signed.Signature.Span))
            {
                Fail(device, "refused the state: its signature is not the fleet's");
                return null;
            }

            _verified.TryAdd((signed.Payload, signed.Signature), true);
        }

        return DesiredState.Parser.ParseFrom(signed.Payload);
    }

    private void Fail(int device, string why)
    {
        Interlocked.Increment(ref _failed);
        Interlocked.CompareExchange(ref _firstFailure, $"{BenchDevices.Id(device)}: {why}", null);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_streams);
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        _connecting.Dispose();
        _stop.Dispose();
    }
}
