namespace Autograder.Similarity;

/// <summary>
/// Where a pair matches, for the side-by-side view: the lines of each side inside a matching region, by
/// (file, line), each with its region's number. A region is a run of A's fingerprints that B shares too
/// (a fingerprint of A's own ends it); B's lines holding the same fingerprints get the same number, so a
/// function moved elsewhere in B is still matched to its place in A.
/// </summary>
internal sealed record MatchRegions(IReadOnlyDictionary<(int File, int Line), int> A, IReadOnlyDictionary<(int File, int Line), int> B, int Count)
{
    public static MatchRegions Of(SimilarityPair pair, int k)
    {
        var shared = new HashSet<ulong>(pair.A.Kept);
        shared.IntersectWith(pair.B.Kept);
        var inB = pair.B.Fingerprints.Where(f => shared.Contains(f.Hash)).ToLookup(f => f.Hash, f => f.Position);

        var a = new Dictionary<(int, int), int>();
        var b = new Dictionary<(int, int), int>();
        var region = 0;
        var open = false;
        foreach (var fp in pair.A.Fingerprints)
        {
            if (!shared.Contains(fp.Hash))
            {
                // Base and common fingerprints are neutral; only A's own text ends a region.
                open &= !pair.A.Kept.Contains(fp.Hash);
                continue;
            }

            if (!open)
            {
                region++;
                open = true;
            }

            Mark(a, pair.A.Tokens, fp.Position, k, region);
            foreach (var position in inB[fp.Hash])
            {
                Mark(b, pair.B.Tokens, position, k, region);
            }
        }

        return new MatchRegions(a, b, region);
    }

    private static void Mark(Dictionary<(int, int), int> lines, Token[] tokens, int position, int k, int region)
    {
        for (var t = position; t < Math.Min(tokens.Length, position + k); t++)
        {
            lines.TryAdd((tokens[t].File, tokens[t].Line), region);
        }
    }
}
