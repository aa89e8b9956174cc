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
