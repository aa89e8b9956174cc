namespace EdgeMl.Fleet.Sync;

/// <summary>Model downloads served: bytes, and how many continued a cut download from an offset.</summary>
internal sealed class DownloadStats
{
    private long _bytes;
    private long _downloads;
    private long _resumed;

    public long Bytes => Interlocked.Read(ref _bytes);

    public long Downloads => Interlocked.Read(ref _downloads);

    public long Resumed => Interlocked.Read(ref _resumed);

    public void Started(long offset)
    {
        Interlocked.Increment(ref _downloads);
        if (offset > 0)
        {
            Interlocked.Increment(ref _resumed);
        }
    }

    public void Sent(int bytes) => Interlocked.Add(ref _bytes, bytes);
}
