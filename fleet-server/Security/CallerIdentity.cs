using Grpc.Core;

namespace EdgeMl.Fleet.Security;

/// <summary>Reads who is calling from gRPC metadata: a bearer secret, and for devices their id.</summary>
internal static class CallerIdentity
{
    public const string DeviceHeader = "x-edgeml-device";

    public static string? Bearer(ServerCallContext context)
    {
        var value = context.RequestHeaders.GetValue("authorization");
        return value is not null && value.StartsWith("Bearer ", StringComparison.Ordinal) ? value[7..].Trim() : null;
    }

    public static string? DeviceId(ServerCallContext context) => context.RequestHeaders.GetValue(DeviceHeader);
}
