using System.Security.Cryptography;
using System.Text;
using EdgeMl.Protos.Fleet;
using Google.Protobuf;

namespace EdgeMl.Contracts.Signing;

/// <summary>
/// The per-device half of a desired state (fleet.proto, <see cref="DesiredStateBinding"/>): one Ed25519 signature
/// covers content that many devices share, and an HMAC keyed by each device's secret says which device and revision
/// it is for. Signing once per content instead of once per device is what lets a rollout reach a large fleet quickly.
/// </summary>
public static class StateBinding
{
    private static readonly byte[] KeyLabel = "edgeml-state-binding-v1"u8.ToArray();

    /// <summary>
    /// The device's binding key: the device derives it from its secret, the server from the secret the device's stream
    /// authenticated with. It is not the SHA-256 the server stores, so a copy of the database cannot make bindings.
    /// </summary>
    public static byte[] KeyOf(string deviceSecret)
    {
        ArgumentNullException.ThrowIfNull(deviceSecret);
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(deviceSecret), KeyLabel);
    }

    /// <summary>The serialized binding of the payload hashing to <paramref name="payloadSha256"/> to one device and revision, and its HMAC.</summary>
    public static (ByteString Binding, ByteString Mac) Bind(ReadOnlySpan<byte> key, string deviceId, ulong revision, ByteString payloadSha256)
    {
        var binding = new DesiredStateBinding { DeviceId = deviceId, Revision = revision, PayloadSha256 = payloadSha256 }.ToByteArray();
        // Both arrays are new and never written again: wrapped, not copied.
        return (UnsafeByteOperations.UnsafeWrap(binding), UnsafeByteOperations.UnsafeWrap(HMACSHA256.HashData(key, binding)));
    }

    /// <summary>
    /// The binding of <paramref name="state"/> when <paramref name="key"/> made it and it is for <paramref name="state"/>'s payload;
    /// otherwise null and why. Checks the bytes as received, before parsing them. The payload's signature is checked elsewhere.
    /// </summary>
    public static DesiredStateBinding? Open(ReadOnlySpan<byte> key, SignedDesiredState state, out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(state);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, state.Binding.Span, mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, state.BindingMac.Span))
        {
            refusal = "its binding was not made for this device";
            return null;
        }

        var binding = DesiredStateBinding.Parser.ParseFrom(state.Binding);
        Span<byte> payloadHash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(state.Payload.Span, payloadHash);
        if (!CryptographicOperations.FixedTimeEquals(payloadHash, binding.PayloadSha256.Span))
        {
            refusal = "its binding is for other content";
            return null;
        }

        refusal = null;
        return binding;
    }
}
