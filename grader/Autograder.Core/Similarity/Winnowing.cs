namespace Autograder.Similarity;

/// <summary>A selected k-gram: its hash and the index of its first token.</summary>
internal readonly record struct Fingerprint(ulong Hash, int Position);

/// <summary>
/// Winnowing (Schleimer, Wilkerson and Aiken, SIGMOD 2003; the algorithm of MOSS): hash every k-gram of
/// the token stream, and in every window of <c>w</c> consecutive hashes keep the minimum (the rightmost one
/// on a tie, recorded once however many windows it wins: "robust winnowing"). Any run of at least
/// <c>w + k - 1</c> tokens two streams share yields at least one common fingerprint, and nothing shorter
/// than <c>k</c> tokens ever does.
/// </summary>
internal static class Winnowing
{
    private const ulong Base = 0x100000001B3UL;

    /// <summary>The hash of every k-gram, in order (none when the stream is shorter than <paramref name="k"/>).</summary>
    public static ulong[] KGramHashes(IReadOnlyList<Token> tokens, int k)
    {
        if (tokens.Count < k)
        {
            return [];
        }

        // A polynomial rolling hash over the token codes (mod 2^64), then mixed so minima are uniform.
        var power = 1UL;
        for (var i = 1; i < k; i++)
        {
            power *= Base;
        }

        var hashes = new ulong[tokens.Count - k + 1];
        var rolling = 0UL;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (i >= k)
            {
                rolling -= tokens[i - k].Code * power;
            }

            rolling = (rolling * Base) + tokens[i].Code;
            if (i >= k - 1)
            {
                hashes[i - k + 1] = Mix(rolling);
            }
        }

        return hashes;
    }

    /// <summary>The fingerprints robust winnowing selects from <paramref name="hashes"/> with window <paramref name="w"/>.</summary>
    public static List<Fingerprint> Select(ulong[] hashes, int w)
    {
        var selected = new List<Fingerprint>();
        if (hashes.Length == 0)
        {
            return selected;
        }

        var windows = Math.Max(1, hashes.Length - w + 1);
        var last = -1;
        for (var start = 0; start < windows; start++)
        {
            var end = Math.Min(hashes.Length, start + w);
            var min = start;
            // Rightmost minimum; while the previous one is still in the window and still minimal, it stays.
            for (var j = start + 1; j < end; j++)
            {
                if (hashes[j] <= hashes[min])
                {
                    min = j;
                }
            }

            if (last >= start && hashes[last] == hashes[min])
            {
                min = last;
            }

            if (min != last)
            {
                selected.Add(new Fingerprint(hashes[min], min));
                last = min;
            }
        }

        return selected;
    }

    // splitmix64's finaliser.
    private static ulong Mix(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
