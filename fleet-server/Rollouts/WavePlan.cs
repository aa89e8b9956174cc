using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>
/// Wave sizes such as <c>1,10%,50%,100%</c>, turned into cumulative device counts, and a deterministic
/// device order (a hash of rollout id and device id), so that a restart picks the same devices.
/// </summary>
internal sealed class WavePlan
{
    private static readonly Comparer<byte[]> HashOrder = Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y));

    private readonly string[] _sizes;

    private WavePlan(string[] sizes) => _sizes = sizes;

    public IReadOnlyList<string> Sizes => _sizes;

    public int Count => _sizes.Length;

    public static WavePlan Parse(IEnumerable<string> waves)
    {
        var sizes = waves.SelectMany(w => w.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        if (sizes.Length == 0)
        {
            return new WavePlan(["100%"]);
        }

        foreach (var size in sizes)
        {
            var ok = size.EndsWith('%')
                ? double.TryParse(size[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) && percent is > 0 and <= 100
                : int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0;
            if (!ok)
            {
                throw new ArgumentException($"wave size '{size}' is neither a device count (e.g. 1) nor a percentage (e.g. 10%)");
            }
        }

        return new WavePlan(sizes);
    }

    /// <summary>How many of <paramref name="devices"/> are in waves 0..<paramref name="wave"/> together; the last wave takes all.</summary>
    public int CumulativeCount(int wave, int devices)
    {
        if (wave >= _sizes.Length - 1)
        {
            return devices;
        }

        var size = _sizes[wave];
        var count = size.EndsWith('%')
            ? (int)Math.Ceiling(devices * double.Parse(size[..^1], CultureInfo.InvariantCulture) / 100)
            : int.Parse(size, CultureInfo.InvariantCulture);
        return Math.Clamp(count, wave == 0 ? 1 : 0, devices);
    }

    // Ordered by the hash's bytes: the order of their hex text, which rollouts started before kept, without a string per device.
    public static IReadOnlyList<string> Order(string rolloutId, IEnumerable<string> deviceIds) =>
        deviceIds.OrderBy(id => SHA256.HashData(Encoding.UTF8.GetBytes(rolloutId + "/" + id)), HashOrder).ToList();

    public override string ToString() => string.Join(',', _sizes);
}
