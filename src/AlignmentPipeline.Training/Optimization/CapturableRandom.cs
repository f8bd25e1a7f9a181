namespace AlignmentPipeline.Training.Optimization;

/// <summary>
/// A <see cref="Random"/> whose whole state is four 64-bit words that can be captured and restored, so data order
/// (shuffles, sampling) resumes exactly. Generator: xoshiro256** (Blackman and Vigna 2018), seeded through
/// SplitMix64; bounded draws use mask-and-reject so they are unbiased. Not thread-safe.
/// </summary>
internal sealed class CapturableRandom : Random
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Seeds the generator; the same seed always gives the same sequence, on every platform.</summary>
    public CapturableRandom(long seed)
    {
        var x = (ulong)seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    private CapturableRandom(IReadOnlyList<ulong> state)
    {
        if (state.Count != 4 || state.All(s => s == 0))
        {
            throw new ArgumentException("A xoshiro256** state is four 64-bit words, not all zero.", nameof(state));
        }
        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
    }

    /// <summary>The current state, to store in a checkpoint.</summary>
    public ulong[] CaptureState() => [_s0, _s1, _s2, _s3];

    /// <summary>A generator continuing exactly from a captured state.</summary>
    public static CapturableRandom FromState(IReadOnlyList<ulong> state) => new(state);

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <inheritdoc />
    public override int Next() => (int)NextBelow(int.MaxValue);

    /// <inheritdoc />
    public override int Next(int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return (int)NextBelow((ulong)maxValue);
    }

    /// <inheritdoc />
    public override int Next(int minValue, int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        return (int)(minValue + (long)NextBelow((ulong)((long)maxValue - minValue)));
    }

    /// <inheritdoc />
    public override long NextInt64() => (long)NextBelow(long.MaxValue);

    /// <inheritdoc />
    public override long NextInt64(long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return (long)NextBelow((ulong)maxValue);
    }

    /// <inheritdoc />
    public override long NextInt64(long minValue, long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        return minValue + (long)NextBelow((ulong)(maxValue - minValue));
    }

    /// <inheritdoc />
    public override double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <inheritdoc />
    public override float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <inheritdoc />
    public override void NextBytes(byte[] buffer) => NextBytes(buffer.AsSpan());

    /// <inheritdoc />
    public override void NextBytes(Span<byte> buffer)
    {
        for (var i = 0; i < buffer.Length; i += 8)
        {
            var word = NextUInt64();
            for (var j = 0; j < 8 && i + j < buffer.Length; j++)
            {
                buffer[i + j] = (byte)(word >> (8 * j));
            }
        }
    }

    /// <inheritdoc />
    protected override double Sample() => NextDouble();

    /// <summary>Uniform in [0, bound); 0 when bound is 0.</summary>
    private ulong NextBelow(ulong bound)
    {
        if (bound <= 1)
        {
            return 0;
        }
        var mask = ulong.MaxValue >> System.Numerics.BitOperations.LeadingZeroCount(bound - 1);
        ulong candidate;
        do
        {
            candidate = NextUInt64() & mask;
        }
        while (candidate >= bound);
        return candidate;
    }

    private static ulong SplitMix64(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
