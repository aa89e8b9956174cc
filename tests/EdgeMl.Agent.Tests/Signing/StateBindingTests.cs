using System.Security.Cryptography;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Contracts.Signing;
using EdgeMl.Protos.Fleet;
using Google.Protobuf;

namespace EdgeMl.Agent.Tests.Signing;

/// <summary>
/// The batch binding the agent and the bench check (protos/Signing): here, in the agent's tests, since the agent is the
/// party that must refuse what the fleet did not sign.
/// </summary>
public sealed class StateBindingTests : IDisposable
{
    private static readonly ByteString Payload = ByteString.CopyFromUtf8("signed content");
    private readonly TempDirectory _temp = new();
    private readonly FleetKey _fleet;

    public StateBindingTests() => _fleet = FleetKey.LoadOrCreate(_temp.File("fleet.key"));

    [Fact]
    public void Every_leaf_of_trees_of_one_to_seventeen_leaves_proves_into_the_RFC_6962_root()
    {
        for (var size = 1; size <= 17; size++)
        {
            var bindings = Bindings(size);
            var batch = new StateBatch(bindings);

            Assert.Equal(ReferenceRoot(bindings), batch.Root.ToArray());
            var states = Signed(bindings);
            Assert.All(states.Select((s, i) => (s, i)), x => Assert.Equal($"dev-{x.i}", StateBinding.Open(x.s, $"dev-{x.i}", _fleet.PublicKey, out _)?.DeviceId));
        }
    }

    [Fact]
    public void A_one_leaf_batch_has_the_leaf_hash_as_root_and_an_empty_proof()
    {
        var bindings = Bindings(1);
        var batch = new StateBatch(bindings);

        Assert.Equal(SHA256.HashData([0x00, .. bindings[0].Span]), batch.Root.ToArray());
        Assert.Empty(batch.PathOf(0));
        Assert.NotNull(StateBinding.Open(Signed(bindings)[0], "dev-0", _fleet.PublicKey, out _));
    }

    [Fact]
    public void A_proof_for_one_leaf_does_not_verify_another_leaf_nor_another_trees_root()
    {
        var states = Signed(Bindings(6));
        var otherTree = Signed(Bindings(6, revision: 2));
        var swappedLeaf = states[1].Clone();
        swappedLeaf.Binding = states[2].Binding;
        var otherRoot = states[2].Clone();
        otherRoot.BatchSignature = otherTree[2].BatchSignature;

        Assert.Null(StateBinding.Open(swappedLeaf, "dev-2", _fleet.PublicKey, out var leafRefusal));
        Assert.Null(StateBinding.Open(otherRoot, "dev-2", _fleet.PublicKey, out var rootRefusal));
        Assert.Equal("its binding is not signed by the fleet", leafRefusal);
        Assert.Equal("its binding is not signed by the fleet", rootRefusal);
    }

    [Theory]
    [InlineData("device")]
    [InlineData("revision")]
    [InlineData("payload")]
    public void Refuses_a_leaf_changed_after_the_fleet_signed_its_batch(string field)
    {
        var state = Signed(Bindings(5))[3];
        var binding = DesiredStateBinding.Parser.ParseFrom(state.Binding);
        if (field == "device")
        {
            binding.DeviceId = "dev-4";
        }
        else if (field == "revision")
        {
            binding.Revision = 1000;
        }
        else
        {
            binding.PayloadSha256 = ByteString.CopyFrom(SHA256.HashData("other content"u8));
        }

        state.Binding = binding.ToByteString();

        Assert.Null(StateBinding.Open(state, binding.DeviceId, _fleet.PublicKey, out var refusal));
        Assert.Equal("its binding is not signed by the fleet", refusal);
    }

    [Theory]
    [InlineData(5UL, 5UL, 3)]
    [InlineData(0UL, 0UL, 0)]
    [InlineData(0UL, 5UL, 2)]
    [InlineData(0UL, 5UL, 4)]
    public void Refuses_a_proof_that_cannot_be_one_for_its_tree(ulong index, ulong size, int pathLength)
    {
        var state = Signed(Bindings(5))[0];
        state.BatchIndex = index;
        state.BatchSize = size;
        state.BatchPath.Clear();
        state.BatchPath.AddRange(Enumerable.Repeat(ByteString.CopyFrom(new byte[32]), pathLength));

        Assert.Null(StateBinding.Open(state, "dev-0", _fleet.PublicKey, out var refusal));
        Assert.Equal("its batch proof is malformed", refusal);
    }

    [Fact]
    public void A_batch_statement_is_never_a_payload_and_a_payload_signature_never_signs_a_batch()
    {
        var state = Signed(Bindings(1))[0];
        var statement = StateBinding.StatementOf(new StateBatch(Bindings(1)).Root);
        var payloadSigned = state.Clone();
        payloadSigned.BatchSignature = ByteString.CopyFrom(_fleet.Sign(new DesiredState { RolloutId = "r-1" }.ToByteArray()));

        Assert.Equal(0x00, statement[0]);
        Assert.Throws<InvalidProtocolBufferException>(() => DesiredState.Parser.ParseFrom(statement));
        Assert.Null(StateBinding.Open(payloadSigned, "dev-0", _fleet.PublicKey, out var refusal));
        Assert.Equal("its binding is not signed by the fleet", refusal);
    }

    [Fact]
    public void Verified_roots_remembered_for_many_devices_never_accept_a_signature_not_verified()
    {
        var roots = new VerifiedBatchRoots(_fleet.PublicKey);
        var states = Signed(Bindings(4));
        var forged = states[1].Clone();
        forged.BatchSignature = ByteString.CopyFrom(new byte[64]);

        Assert.NotNull(StateBinding.Open(states[0], "dev-0", roots, out _));
        Assert.Null(StateBinding.Open(forged, "dev-1", roots, out var refusal));
        Assert.NotNull(StateBinding.Open(states[1], "dev-1", roots, out _));
        Assert.Equal("its binding is not signed by the fleet", refusal);
    }

    public void Dispose()
    {
        _fleet.Dispose();
        _temp.Dispose();
    }

    private static List<ByteString> Bindings(int count, ulong revision = 1) =>
        [.. Enumerable.Range(0, count).Select(i => StateBinding.Bind($"dev-{i}", revision, ByteString.CopyFrom(SHA256.HashData(Payload.Span))))];

    /// <summary>As the server signs a batch: one root signature, each state its leaf and proof.</summary>
    private List<SignedDesiredState> Signed(List<ByteString> bindings)
    {
        var batch = new StateBatch(bindings);
        var rootSignature = ByteString.CopyFrom(_fleet.Sign(StateBinding.StatementOf(batch.Root)));
        return [.. bindings.Select((b, i) => new SignedDesiredState
        {
            Payload = Payload,
            Binding = b,
            BatchIndex = (ulong)i,
            BatchSize = (ulong)bindings.Count,
            BatchPath = { batch.PathOf(i) },
            BatchSignature = rootSignature,
        })];
    }

    /// <summary>RFC 6962's MTH written as the RFC states it: split at the largest power of two below the size.</summary>
    private static byte[] ReferenceRoot(List<ByteString> leaves)
    {
        if (leaves.Count == 1)
        {
            return SHA256.HashData([0x00, .. leaves[0].Span]);
        }

        var split = 1;
        while (split * 2 < leaves.Count)
        {
            split *= 2;
        }

        return SHA256.HashData([0x01, .. ReferenceRoot([.. leaves.Take(split)]), .. ReferenceRoot([.. leaves.Skip(split)])]);
    }
}
