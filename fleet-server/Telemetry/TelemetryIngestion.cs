using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Hosting;
using EdgeMl.Fleet.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Telemetry;

/// <summary>
/// Reads every device's telemetry, status and events from the broker with the server's credential, over its own MQTT
/// connections (<see cref="IngestionConnection"/>: many messages per read, a batch's PUBACKs in one write), and stores them in
/// batches (<see cref="IngestionWriter"/>, one transaction each). A message is acknowledged to the broker only once it is
/// stored, and the sessions persist across reconnects, so a broker or database that goes away loses nothing. Status is
/// read by every replica (presence); telemetry and events through a shared subscription on an external broker, over
/// <see cref="FleetServerOptions.MqttIngestConnections"/> connections of this replica in the same share group. The embedded
/// broker hands telemetry over in-process instead (<see cref="IngestionQueue.TryStoreAsync"/>): one connection then reads the rest.
/// </summary>
internal sealed partial class TelemetryIngestion(
    IngestionBroker broker,
    IngestionQueue queue,
    IngestionWriter writer,
    IOptions<FleetServerOptions> options,
    TimeProvider time,
    ILogger<TelemetryIngestion> logger) : BackgroundService
{
    public const int BatchSize = 2000;
    private static readonly TimeSpan SessionExpiry = TimeSpan.FromHours(1);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Hosted services start one after the other: let the embedded broker's start finish first.
        await Task.Yield();
        var connections = broker.Shared ? options.Value.MqttIngestConnections : 1;
        await Task.WhenAll(Enumerable.Range(0, connections).Select(c => ReadAsync(c, stoppingToken)).Append(WriteAsync(stoppingToken)));
    }

    /// <summary>One connection, made again with backoff whenever it is lost; the first also reads every device's status.</summary>
    private async Task ReadAsync(int connection, CancellationToken stoppingToken)
    {
        // Each connection its own client id and so its own session: what one had not acknowledged, the broker delivers to it again.
        var clientId = $"{Messaging.MqttServerCredential.UserName}-ingest-{ReplicaId(options.Value.DataDirectory)}{(connection == 0 ? "" : $"-{connection}")}";
        var filters = Filters(status: connection == 0);
        for (var failures = 0; !stoppingToken.IsCancellationRequested;)
        {
            var where = broker.Describe();
            IngestionConnection? reader = null;
            try
            {
                using (var timeout = new CancellationTokenSource(ConnectTimeout, TimeProvider.System))
                using (var opening = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token))
                {
                    // The broker counts keep-alive in real time, whatever clock the fleet's own logic runs on.
                    reader = await IngestionConnection.OpenAsync(
                        await broker.OpenAsync(opening.Token), clientId, Messaging.MqttServerCredential.UserName, broker.Password, KeepAlive, SessionExpiry, TimeProvider.System, opening.Token);
                    await reader.SubscribeAsync(filters, queue.EnqueueAsync, opening.Token);
                }

                LogConnected(logger, where, failures);
                failures = 0;
                var reason = await reader.RunAsync(queue.EnqueueAsync, stoppingToken);
                LogLost(logger, where, reason);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested
                && e is IOException or SocketException or AuthenticationException or InvalidDataException or InvalidOperationException or OperationCanceledException)
            {
                if (failures++ == 0)
                {
                    LogUnreachable(logger, where, e.Message);
                }

                await DelayAsync(failures, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            finally
            {
                if (reader is not null)
                {
                    await reader.DisposeAsync();
                }
            }
        }
    }

    private List<string> Filters(bool status)
    {
        List<string> filters = [broker.Filter(DeviceTopics.EventsName, share: true)];
        if (!broker.HandsOverTelemetry)
        {
            filters.Add(broker.Filter(DeviceTopics.TelemetryName, share: true));
        }

        if (status)
        {
            // Not shared: every replica keeps the whole fleet's presence, once.
            filters.Add(broker.Filter(DeviceTopics.StatusName, share: false));
        }

        return filters;
    }

    private async Task WriteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<IncomingMessage>(BatchSize);
        await using var telemetry = writer.OpenTelemetryWriter();
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < BatchSize && queue.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                await StoreAsync(batch, telemetry, stoppingToken);
                foreach (var message in batch)
                {
                    await AcknowledgeAsync(message, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Unacknowledged messages are delivered again to the next connection.
        }
    }

    /// <summary>Tries until the batch is stored: its messages stay unacknowledged meanwhile, and the broker holds the rest back.</summary>
    private async Task StoreAsync(List<IncomingMessage> batch, TelemetryBatchWriter telemetry, CancellationToken stoppingToken)
    {
        for (var failures = 0; ; failures++)
        {
            try
            {
                await writer.WriteAsync(batch, telemetry, stoppingToken);
                return;
            }
            catch (System.Data.Common.DbException e)
            {
                LogNotStored(logger, batch.Count, e.Message);
                await DelayAsync(failures + 1, stoppingToken);
            }
        }
    }

    private static async Task AcknowledgeAsync(IncomingMessage message, CancellationToken stoppingToken)
    {
        try
        {
            await message.AcknowledgeAsync(stoppingToken);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The connection it came on is gone; the broker delivers it again on the next, and storing it again adds nothing.
        }
    }

    private Task DelayAsync(int failures, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20)))), time, cancellationToken);

    /// <summary>Stable per replica (machine and data directory), so a restarted replica resumes its own broker session.</summary>
    private static string ReplicaId(string dataDirectory) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Environment.MachineName}\n{Path.GetFullPath(dataDirectory)}")))[..12];

    [LoggerMessage(Level = LogLevel.Information, Message = "Telemetry ingestion connected to the MQTT broker {Broker} (after {Failures} failed attempts)")]
    private static partial void LogConnected(ILogger logger, string broker, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telemetry ingestion lost the MQTT broker {Broker} ({Reason}); reconnecting")]
    private static partial void LogLost(ILogger logger, string broker, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telemetry ingestion cannot reach the MQTT broker {Broker} ({Reason}); retrying with backoff")]
    private static partial void LogUnreachable(ILogger logger, string broker, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} telemetry messages not stored ({Reason}); they stay unacknowledged and are tried again")]
    private static partial void LogNotStored(ILogger logger, int count, string reason);
}
