using System.Threading.Channels;

namespace EdgeMl.Fleet.Telemetry;

/// <summary>
/// The messages waiting for <see cref="TelemetryIngestion"/> to store them, from its MQTT connections or handed over in-process
/// by the embedded broker (<see cref="TryStoreAsync"/>). Bounded: a slow database holds the deliveries back (unacknowledged, the
/// devices waiting for their PUBACK) instead of filling memory.
/// </summary>
internal sealed class IngestionQueue
{
    private readonly Channel<IncomingMessage> _messages = Channel.CreateBounded<IncomingMessage>(
        new BoundedChannelOptions(20_000) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    public ChannelReader<IncomingMessage> Reader => _messages.Reader;

    public ValueTask EnqueueAsync(IncomingMessage message, CancellationToken cancellationToken) => _messages.Writer.WriteAsync(message, cancellationToken);

    /// <summary>
    /// True once the message is stored (or was stored before): only then may the device have its PUBACK. False when that took
    /// longer than <paramref name="wait"/> twice over (queueing, then storing): the message may still be stored later, and a
    /// device that sends it again adds nothing.
    /// </summary>
    public async Task<bool> TryStoreAsync(string deviceId, string name, byte[] payload, TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        // Completed by ingestion's writer, which runs what follows inline up to the broker queueing the PUBACK (the broker's
        // connection loop then yields): a thread-pool hop per aggregate cost more than that.
        var stored = new TaskCompletionSource();
        var message = new IncomingMessage(deviceId, name, payload, _ =>
        {
            stored.TrySetResult();
            return Task.CompletedTask;
        });
        try
        {
            if (!_messages.Writer.TryWrite(message))
            {
                await _messages.Writer.WriteAsync(message, cancellationToken).AsTask().WaitAsync(wait, time, cancellationToken);
            }

            await stored.Task.WaitAsync(wait, time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
