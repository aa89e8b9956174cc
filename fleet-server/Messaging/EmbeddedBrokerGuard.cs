using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace EdgeMl.Fleet.Messaging;

/// <summary>
/// Who may connect to the embedded broker and what each may publish and subscribe to (<see cref="TelemetryTopics"/>).
/// Device secrets are checked against the database on every connect, as the gRPC calls are, so a revoked device
/// is refused at once and by every replica.
/// </summary>
internal sealed class EmbeddedBrokerGuard(FleetStores stores, MqttServerCredential server)
{
    public async Task ValidateConnectionAsync(ValidatingConnectionEventArgs args, CancellationToken cancellationToken)
    {
        if (server.Accepts(args.UserName, args.Password))
        {
            return;
        }

        var device = string.IsNullOrEmpty(args.UserName) || args.RawPassword is not { Length: > 0 } ? null : await stores.Devices.GetAsync(args.UserName, cancellationToken);
        if (device is null || !Secrets.Matches(args.Password, device.SecretHash))
        {
            args.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
            args.ReasonString = "unknown or revoked device, or a wrong secret: connect with the device id and secret from enrolment";
        }
        else if (args.ClientId != device.Id)
        {
            // A session belongs to its client id: another id would let a device take over (or be taken over by) someone else's session.
            args.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            args.ReasonString = "a device connects with its device id as client id";
        }
    }

    public static Task InterceptPublishAsync(InterceptingPublishEventArgs args)
    {
        var message = args.ApplicationMessage;
        var allowed = args.UserName == MqttServerCredential.UserName
            ? TelemetryTopics.ServerMayPublish(message.Topic)
            : args.UserName is not null && TelemetryTopics.DeviceMayPublish(args.UserName, message.Topic, message.Retain);
        if (!allowed)
        {
            args.ProcessPublish = false;
            args.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
        }

        return Task.CompletedTask;
    }

    public static Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs args)
    {
        var filter = args.TopicFilter.Topic;
        var allowed = args.UserName == MqttServerCredential.UserName
            ? TelemetryTopics.ServerMaySubscribe(filter)
            : args.UserName is not null && TelemetryTopics.DeviceMaySubscribe(args.UserName, filter);
        if (!allowed)
        {
            args.ProcessSubscription = false;
            args.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        }

        return Task.CompletedTask;
    }
}
