using EdgeMl.Fleet.Storage;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Sync;

/// <summary>A device's new desired state and the signed message made for it in its batch, ready for its stream to send.</summary>
internal sealed record BoundState(DesiredStateRecord Record, SignedDesiredState Signed);
