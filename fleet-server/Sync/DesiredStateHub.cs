using System.Collections.Concurrent;
using System.Threading.Channels;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Sync;

/// <summary>
/// The devices connected right now and a one-slot mailbox each: only the newest desired state
/// matters, so an unread one is replaced. A device is online while its watch stream is open.
/// </summary>
internal sealed class DesiredStateHub(DesiredStateSigner signer)
{
    private const int PublishSlice = 256;

    private readonly ConcurrentDictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);

    public int StreamCount => _subscriptions.Count;

    public bool IsOnline(string deviceId) => _subscriptions.ContainsKey(deviceId);

    /// <summary>Opens the device's mailbox; a newer connection of the same device replaces (and ends) the older one.</summary>
    public Subscription Subscribe(string deviceId)
    {
        var subscription = new Subscription(this, deviceId);
        _subscriptions.AddOrUpdate(deviceId, subscription, (_, old) =>
        {
            old.Close();
            return subscription;
        });
        return subscription;
    }

    /// <summary>
    /// Signs and offers the new states of the devices connected here, a slice of them at a time: each slice is one batch under
    /// one root signature, and the streams it wakes send before the next is woken. Woken all at once, 50,000 streams each took a
    /// fresh output buffer from Kestrel's pool before any connection drained one (hundreds of MB of new pinned memory in a
    /// large rollout); in slices the buffers are returned and taken again.
    /// </summary>
    public async Task PublishAsync(IReadOnlyList<DesiredStateRecord> states, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(states);
        var slice = new List<(Subscription Subscription, DesiredStateRecord Record)>(PublishSlice);
        foreach (var state in states)
        {
            // A device not connected here, or already offered this revision, costs no leaf.
            if (_subscriptions.TryGetValue(state.DeviceId, out var subscription) && subscription.Wants(state))
            {
                slice.Add((subscription, state));
            }

            if (slice.Count == PublishSlice)
            {
                await OfferAsync(slice, cancellationToken);
                await Task.Yield();
            }
        }

        await OfferAsync(slice, cancellationToken);
    }

    private async Task OfferAsync(List<(Subscription Subscription, DesiredStateRecord Record)> slice, CancellationToken cancellationToken)
    {
        if (slice.Count == 0)
        {
            return;
        }

        var signed = await signer.SignAsync([.. slice.Select(s => s.Record)], cancellationToken);
        for (var i = 0; i < slice.Count; i++)
        {
            slice[i].Subscription.Offer(new BoundState(slice[i].Record, signed[i]));
        }

        slice.Clear();
    }

    internal sealed class Subscription : IDisposable
    {
        private readonly DesiredStateHub _hub;
        private readonly Channel<BoundState> _mailbox = Channel.CreateBounded<BoundState>(
            new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

        public Subscription(DesiredStateHub hub, string deviceId)
        {
            _hub = hub;
            DeviceId = deviceId;
        }

        public string DeviceId { get; }

        public ChannelReader<BoundState> Reader => _mailbox.Reader;

        private long _offered;

        /// <summary>
        /// True for a revision newer than the last offered: with several replicas announcing changes the news of one change may
        /// arrive after that of the next, and an older or equal revision is ignored.
        /// </summary>
        public bool Wants(DesiredStateRecord state) => state.Revision > Interlocked.Read(ref _offered);

        /// <summary>Offers a newer state; one another publisher overtook since <see cref="Wants"/> is ignored.</summary>
        public void Offer(BoundState state)
        {
            lock (_mailbox)
            {
                if (state.Record.Revision > _offered)
                {
                    Interlocked.Exchange(ref _offered, state.Record.Revision);
                    _mailbox.Writer.TryWrite(state);
                }
            }
        }

        public void Close() => _mailbox.Writer.TryComplete();

        public void Dispose()
        {
            Close();
            _hub._subscriptions.TryRemove(new KeyValuePair<string, Subscription>(DeviceId, this));
        }
    }
}
