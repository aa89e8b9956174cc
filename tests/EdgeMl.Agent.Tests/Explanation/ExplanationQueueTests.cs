using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Explanation;
using EdgeMl.Agent.Pipeline;

namespace EdgeMl.Agent.Tests.Explanation;

public sealed class ExplanationQueueTests
{
    [Fact]
    public void Takes_only_escalated_and_audited_frames_that_a_model_scored()
    {
        var queue = new ExplanationQueue(8);

        Assert.True(queue.Offer(Slot("a", Decision.Escalate)));
        Assert.True(queue.Offer(Slot("b", Decision.Audit)));
        Assert.False(queue.Offer(Slot("c", Decision.Auto)));
        Assert.False(queue.Offer(Slot("d", Decision.Error)));
        Assert.False(queue.Offer(Slot("e", Decision.Escalate, label: -1)));
        Assert.Equal(2, queue.Offered);
    }

    [Fact]
    public void Full_queue_drops_the_oldest_frame_counts_it_and_never_blocks()
    {
        var queue = new ExplanationQueue(2);

        foreach (var name in new[] { "1", "2", "3", "4" })
        {
            Assert.True(queue.Offer(Slot(name, Decision.Escalate)));
        }

        Assert.Equal(2, queue.Dropped);
        Assert.True(queue.Reader.TryRead(out var first));
        Assert.Equal("3", first.FrameId);
    }

    [Fact]
    public void Queued_frame_keeps_its_own_copy_of_the_image()
    {
        var queue = new ExplanationQueue(2);
        var slot = Slot("a", Decision.Escalate);

        queue.Offer(slot);
        slot.Load("overwritten"u8);

        Assert.True(queue.Reader.TryRead(out var request));
        Assert.Equal("image"u8.ToArray(), request.Encoded);
    }

    private static FrameSlot Slot(string name, Decision decision, int label = 1)
    {
        var slot = new FrameSlot { Name = name, ModelId = "m:v1", Verdict = new Verdict(label, 0.7f, decision) };
        slot.Load("image"u8);
        return slot;
    }
}
