namespace EdgeMl.Agent.Capture;

/// <summary>
/// Cuts a stream of concatenated JPEGs (ffmpeg's image2pipe) into frames by walking the JPEG segments, so an
/// end-of-image marker inside an embedded thumbnail or a byte pair in the scan data does not end a frame early.
/// </summary>
internal sealed class JpegStreamSplitter(int maxFrameBytes)
{
    private byte[] _buffer = new byte[64 * 1024];
    private int _length;
    private int _position;
    private int _start = -1;
    private bool _inScan;

    /// <summary>Frames thrown away: cut short, malformed, or larger than the limit.</summary>
    public long DiscardedFrames { get; private set; }

    /// <summary>Adds bytes read from the stream; frames handed out by <see cref="TryNext"/> before this call are no longer valid.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        var keep = _start >= 0 ? _start : _position;
        if (keep > 0)
        {
            _buffer.AsSpan(keep, _length - keep).CopyTo(_buffer);
            _length -= keep;
            _position -= keep;
            _start = _start >= 0 ? 0 : -1;
        }

        if (_start >= 0 && _length + data.Length > maxFrameBytes)
        {
            // A frame this large is not a camera frame; drop it and look for the next start of image.
            DiscardedFrames++;
            _start = -1;
            _length = 0;
            _position = 0;
        }

        if (_length + data.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_length + data.Length, _buffer.Length * 2));
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    /// <summary>The next complete frame, valid until the next <see cref="Append"/>; false when more bytes are needed.</summary>
    public bool TryNext(out ReadOnlyMemory<byte> frame)
    {
        frame = default;
        while (true)
        {
            if (_start < 0)
            {
                var soi = _buffer.AsSpan(_position, _length - _position).IndexOf([(byte)0xFF, (byte)0xD8]);
                if (soi < 0)
                {
                    // Keep a trailing 0xFF: it may be the first half of the next start of image.
                    _position = Math.Max(_position, _length - 1);
                    return false;
                }

                _start = _position + soi;
                _position = _start + 2;
                _inScan = false;
                continue;
            }

            if (_inScan)
            {
                var ff = _buffer.AsSpan(_position, _length - _position).IndexOf((byte)0xFF);
                if (ff < 0 || _position + ff + 1 >= _length)
                {
                    _position = ff < 0 ? _length : _position + ff;
                    return false;
                }

                var next = _buffer[_position + ff + 1];
                if (next == 0x00 || next is >= 0xD0 and <= 0xD7)
                {
                    // A stuffed 0xFF data byte or a restart marker: still scan data.
                    _position += ff + 2;
                    continue;
                }

                _position += ff;
                _inScan = false;
                continue;
            }

            if (_position + 2 > _length)
            {
                return false;
            }

            var marker = _buffer[_position + 1];
            if (_buffer[_position] != 0xFF || marker == 0xD8)
            {
                // Not a segment where one must be, or a new image before this one ended: the frame is broken.
                DiscardedFrames++;
                _start = -1;
                continue;
            }

            if (marker == 0xFF)
            {
                _position++;
                continue;
            }

            if (marker == 0xD9)
            {
                frame = _buffer.AsMemory(_start, _position + 2 - _start);
                _position += 2;
                _start = -1;
                return true;
            }

            if (marker is >= 0xD0 and <= 0xD7 or 0x01)
            {
                _position += 2;
                continue;
            }

            if (_position + 4 > _length)
            {
                return false;
            }

            var segment = (_buffer[_position + 2] << 8) | _buffer[_position + 3];
            if (segment < 2)
            {
                DiscardedFrames++;
                _start = -1;
                continue;
            }

            if (_position + 2 + segment > _length)
            {
                return false;
            }

            _position += 2 + segment;
            _inScan = marker == 0xDA;
        }
    }
}
