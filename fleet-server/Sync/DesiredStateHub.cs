using System.Collections.Concurrent;
using System.Threading.Channels;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Sync;

/// <summary>
/// The devices connected right now and a one-slot mailbox each: only the newest desired state
/// matters, so an unread one is replaced. A device is online while its watch stream is open.
/// </summary>
internal sealed class DesiredStateHub
{
    private const int PublishSlice = 256;

    private readonly ConcurrentDictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);

    public int OnlineCount => _subscriptions.Count;

    public bool IsOnline(string deviceId) => _subscriptions.ContainsKey(deviceId);

    /// <summary>The devices whose watch stream is open on this server now.</summary>
    public IReadOnlyCollection<string> OnlineDevices => [.. _subscriptions.Keys];

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

    /// <summary>Ends the device's open watch stream, if it has one (revocation).</summary>
    public void Disconnect(string deviceId)
    {
        if (_subscriptions.TryGetValue(deviceId, out var subscription))
        {
            subscription.Close();
        }
    }

    /// <summary>
    /// Offers many states a slice at a time, letting the streams woken by one slice send before the next is woken. Woken all
    /// at once, 50,000 streams each took a fresh output buffer from Kestrel's pool before any connection drained one
    /// (hundreds of MB of new pinned memory in a large rollout); in slices the buffers are returned and taken again.
    /// </summary>
    public async Task PublishAsync(IReadOnlyList<DesiredStateRecord> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        for (var i = 0; i < states.Count; i++)
        {
            Publish(states[i]);
            if ((i + 1) % PublishSlice == 0)
            {
                await Task.Yield();
            }
        }
    }

    public void Publish(DesiredStateRecord state)
    {
        if (_subscriptions.TryGetValue(state.DeviceId, out var subscription))
        {
            subscription.Offer(state);
        }
    }

    internal sealed class Subscription : IDisposable
    {
        private readonly DesiredStateHub _hub;
        private readonly Channel<DesiredStateRecord> _mailbox = Channel.CreateBounded<DesiredStateRecord>(
            new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

        public Subscription(DesiredStateHub hub, string deviceId)
        {
            _hub = hub;
            DeviceId = deviceId;
        }

        public string DeviceId { get; }

        public ChannelReader<DesiredStateRecord> Reader => _mailbox.Reader;

        private long _offered;

        /// <summary>
        /// Offers a newer state; an older or equal revision is ignored, since with several replicas announcing changes
        /// the news of one change may arrive after that of the next.
        /// </summary>
        public void Offer(DesiredStateRecord state)
        {
            lock (_mailbox)
            {
                if (state.Revision > _offered)
                {
                    _offered = state.Revision;
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
