using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Alerts;

/// <summary>A destination of raised and cleared alerts; a failed send throws and is retried by <see cref="AlertDelivery"/>.</summary>
internal interface IAlertSink
{
    string Name { get; }

    Task SendAsync(AlertRecord alert, CancellationToken cancellationToken);
}
