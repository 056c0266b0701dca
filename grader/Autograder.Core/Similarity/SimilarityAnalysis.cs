using Autograder.Submissions;

namespace Autograder.Similarity;

/// <summary>A submission (or known solution) tokenised and fingerprinted. <see cref="Kept"/> is what counts:
/// its distinct fingerprints, less the base's k-grams and the class's common idioms.</summary>
internal sealed class Fingerprinted
{
    public required SimilarityDocument Document { get; init; }
    public required Token[] Tokens { get; init; }
    public required List<Fingerprint> Fingerprints { get; init; }
    public HashSet<ulong> Kept { get; } = [];

    public string Id => Document.Id;

    public static Fingerprinted Of(SimilarityDocument document, int k, int w)
    {
        var tokens = Tokenize(document);
        return new Fingerprinted
        {
            Document = document,
            Tokens = tokens,
            Fingerprints = Winnowing.Select(Winnowing.KGramHashes(tokens, k), w),
        };
    }

    public static Token[] Tokenize(SimilarityDocument document)
    {
        var tokens = new List<Token>();
        for (var f = 0; f < document.Files.Count; f++)
        {
            var file = document.Files[f];
            if (document.Language == Language.CSharp)
            {
                CSharpTokens.Tokenize(file.Text, f, tokens);
            }
            else
            {
                CLexer.Tokenize(file.Text, f, tokens);
            }
        }

        return [.. tokens];
    }
}

/// <summary>Two documents and how much of each the other contains: <see cref="Shared"/> fingerprints in
/// common, <see cref="ShareA"/> = Shared / A's counted fingerprints (and B alike).</summary>
internal sealed record SimilarityPair(Fingerprinted A, Fingerprinted B, int Shared, double ShareA, double ShareB)
{
    public double Score => Math.Max(ShareA, ShareB);
}

/// <summary>What <see cref="SimilarityAnalysis.Run"/> found. <see cref="Pairs"/> (submission against
/// submission) and <see cref="KnownPairs"/> (submission against a known solution) are those above the
/// threshold, highest first, at most <see cref="SimilarityOptions.MaxPairs"/> each; the counts say how
/// many were above it in all.</summary>
internal sealed record SimilarityResult(
    SimilarityOptions Options,
    int Submissions,
    int Known,
    IReadOnlyList<SimilarityPair> Pairs,
    int PairsAboveThreshold,
    IReadOnlyList<SimilarityPair> KnownPairs,
    int KnownAboveThreshold,
    int CommonFingerprints,
    IReadOnlyList<string> Notes);

/// <summary>
/// Pairwise similarity of a class without comparing all pairs: an inverted index maps each fingerprint to the
/// submissions holding it, and only submissions that share a fingerprint meet. A fingerprint held by more
/// than the common limit (a class-wide idiom) is skipped, which also bounds the work per fingerprint.
/// Different languages never share a fingerprint (token codes are salted by language), so a C driver and a
/// C# port are never claimed similar. This says how alike two texts are, never who copied: it changes no grade.
/// </summary>
internal static class SimilarityAnalysis
{
    public static SimilarityResult Run(IReadOnlyList<SimilarityDocument> submissions, IReadOnlyList<SimilarityDocument> known, SimilarityOptions options)
    {
        var notes = new List<string>();
        foreach (var d in submissions.Concat(known))
        {
            if (d.Problem is not null)
            {
                notes.Add($"{d.Id}: not compared ({d.Problem})");
            }
            else if (d.Truncated)
            {
                notes.Add($"{d.Id}: only the first {options.MaxSourceChars / 1024} KiB of source compared");
            }
        }

        var docs = Fingerprint(submissions, options);
        var knownDocs = Fingerprint(known, options);
        var baseHashes = BaseHashes(options);

        // The inverted index: fingerprint -> the submissions holding it (each once, ascending).
        var index = new Dictionary<ulong, List<int>>();
        for (var i = 0; i < docs.Length; i++)
        {
            var based = baseHashes.GetValueOrDefault(docs[i].Document.Language);
            foreach (var fp in docs[i].Fingerprints)
            {
                if ((based is null || !based.Contains(fp.Hash)) && docs[i].Kept.Add(fp.Hash))
                {
                    if (!index.TryGetValue(fp.Hash, out var holders))
                    {
                        index[fp.Hash] = holders = [];
                    }

                    holders.Add(i);
                }
            }
        }

        var commonLimit = Math.Max(options.CommonMinimum, (int)(options.CommonShare * docs.Length));
        var common = index.Where(e => e.Value.Count > commonLimit).Select(e => e.Key).ToHashSet();
        foreach (var hash in common)
        {
            foreach (var holder in index[hash])
            {
                docs[holder].Kept.Remove(hash);
            }

            index.Remove(hash);
        }

        var counts = new Dictionary<long, int>();
        foreach (var holders in index.Values)
        {
            for (var x = 0; x < holders.Count; x++)
            {
                for (var y = x + 1; y < holders.Count; y++)
                {
                    var key = ((long)holders[x] << 32) | (uint)holders[y];
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
            }
        }

        var pairs = Listed(counts.Select(e => Ordered(Pair(docs[(int)(e.Key >> 32)], docs[(int)(e.Key & 0xffffffff)], e.Value))), options, out var above);

        // Known solutions: each against every submission through the same index (class idioms skipped too).
        var knownCounts = new Dictionary<long, int>();
        for (var k = 0; k < knownDocs.Length; k++)
        {
            var based = baseHashes.GetValueOrDefault(knownDocs[k].Document.Language);
            foreach (var fp in knownDocs[k].Fingerprints)
            {
                if ((based is null || !based.Contains(fp.Hash)) && !common.Contains(fp.Hash) && knownDocs[k].Kept.Add(fp.Hash)
                    && index.TryGetValue(fp.Hash, out var holders))
                {
                    foreach (var holder in holders)
                    {
                        var key = ((long)holder << 32) | (uint)k;
                        knownCounts[key] = knownCounts.GetValueOrDefault(key) + 1;
                    }
                }
            }
        }

        var knownPairs = Listed(knownCounts.Select(e => Pair(docs[(int)(e.Key >> 32)], knownDocs[(int)(e.Key & 0xffffffff)], e.Value)), options, out var knownAbove);
        return new SimilarityResult(options, submissions.Count, known.Count, pairs, above, knownPairs, knownAbove, common.Count, notes);
    }

    private static Fingerprinted[] Fingerprint(IReadOnlyList<SimilarityDocument> documents, SimilarityOptions options)
    {
        var result = new Fingerprinted[documents.Count];
        Parallel.For(0, documents.Count, i => result[i] = Fingerprinted.Of(documents[i], options.K, options.Window));
        return result;
    }

    /// <summary>Every k-gram of the base files (not only their winnowed fingerprints: a student's fingerprint
    /// inside the skeleton must go even where the skeleton's own winnowing picked a neighbour), per language.</summary>
    private static Dictionary<Language, HashSet<ulong>> BaseHashes(SimilarityOptions options)
    {
        var bases = new Dictionary<Language, HashSet<ulong>>();
        foreach (var document in options.Bases ?? BaseFiles.BuiltIn)
        {
            if (!bases.TryGetValue(document.Language, out var set))
            {
                bases[document.Language] = set = [];
            }

            set.UnionWith(Winnowing.KGramHashes(Fingerprinted.Tokenize(document), options.K));
        }

        return bases;
    }

    private static SimilarityPair Pair(Fingerprinted a, Fingerprinted b, int shared) =>
        new(a, b, shared, Share(shared, a), Share(shared, b));

    private static double Share(int shared, Fingerprinted d) => d.Kept.Count == 0 ? 0 : (double)shared / d.Kept.Count;

    /// <summary>A class pair reads the same whatever order the submissions were found in: A's id sorts first.</summary>
    private static SimilarityPair Ordered(SimilarityPair p) =>
        string.CompareOrdinal(p.A.Id, p.B.Id) <= 0 ? p : new SimilarityPair(p.B, p.A, p.Shared, p.ShareB, p.ShareA);

    private static List<SimilarityPair> Listed(IEnumerable<SimilarityPair> pairs, SimilarityOptions options, out int above)
    {
        var all = pairs.Where(p => p.Shared >= options.MinSharedFingerprints && p.Score >= options.Threshold)
            .ToList();
        above = all.Count;
        return [.. all.OrderByDescending(p => p.Score).ThenByDescending(p => p.Shared)
            .ThenBy(p => p.A.Id, StringComparer.Ordinal).ThenBy(p => p.B.Id, StringComparer.Ordinal)
            .Take(options.MaxPairs)];
    }
}
