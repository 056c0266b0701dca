namespace Autograder.Exercise;

/// <summary>
/// glibc's rand()/srand(): the TYPE_3 additive feedback generator (x[i] = x[i-3] + x[i-31] mod 2^32,
/// output x[i] &gt;&gt; 1), bit for bit. Not thread-safe.
/// </summary>
/// <remarks>
/// glibc keeps 31 words and two moving pointers; the same sequence falls out of a 32-entry ring where
/// x[i-31] sits at (i+1)&amp;31 and x[i-3] at (i-3)&amp;31, and x[i] overwrites x[i-32], which is no longer needed.
/// </remarks>
public sealed class GlibcRandom
{
    private const int Degree = 31;
    private const int Separation = 3;
    // srand discards 10 * 31 outputs: with the 3 plain copies before them, the first output is x[344].
    private const int WarmUp = 10 * Degree;
    private const int Mask = 31;

    private readonly uint[] _ring = new uint[32];
    // Index of the last value produced; wraps modulo 2^32, a multiple of the ring size.
    private uint _i;

    public GlibcRandom(uint seed = 1) => Seed(seed);

    private GlibcRandom(GlibcRandom other)
    {
        other._ring.CopyTo(_ring, 0);
        _i = other._i;
    }

    /// <summary>srand(seed); srand(0) behaves as srand(1).</summary>
    public void Seed(uint seed)
    {
        // glibc stores the seed in an int32_t; Schrage's method computes 16807 * x mod (2^31 - 1)
        // without overflow, on signed values (so a negative seed gives glibc's exact words).
        var word = seed == 0 ? 1 : unchecked((int)seed);
        _ring[0] = unchecked((uint)word);
        for (var i = 1; i < Degree; i++)
        {
            var hi = word / 127773;
            var lo = word % 127773;
            word = (16807 * lo) - (2836 * hi);
            if (word < 0)
            {
                word += 2147483647;
            }

            _ring[i] = unchecked((uint)word);
        }

        // x[31..33] = x[0..2]
        for (var i = Degree; i < Degree + Separation; i++)
        {
            _ring[i & Mask] = _ring[(i - Degree) & Mask];
        }

        _i = Degree + Separation - 1;
        for (var k = 0; k < WarmUp; k++)
        {
            Step();
        }
    }

    /// <summary>rand(): 0..2^31-1.</summary>
    public int Next() => (int)(Step() >> 1);

    /// <summary>An independent generator in the same state (for previews).</summary>
    public GlibcRandom Clone() => new(this);

    /// <summary>The first <paramref name="count"/> values after srand(seed).</summary>
    public static int[] Sequence(uint seed, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new GlibcRandom(seed);
        var values = new int[count];
        for (var k = 0; k < values.Length; k++)
        {
            values[k] = random.Next();
        }

        return values;
    }

    private uint Step()
    {
        var i = unchecked(++_i);
        var value = unchecked(_ring[(i - Degree) & Mask] + _ring[(i - Separation) & Mask]);
        _ring[i & Mask] = value;
        return value;
    }
}
