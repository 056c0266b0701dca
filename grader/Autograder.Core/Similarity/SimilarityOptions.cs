namespace Autograder.Similarity;

/// <summary>How similarity is computed and what is listed. The defaults are tuned on real-sized drivers
/// (a few hundred tokens): a renamed, reordered, reformatted copy scores far above
/// <see cref="Threshold"/>, independent drivers from the same handout below it.</summary>
internal sealed record SimilarityOptions
{
    /// <summary>k: tokens per fingerprinted k-gram; shorter shared runs never count.</summary>
    public int K { get; init; } = 15;

    /// <summary>w: winnowing window; any shared run of w + k - 1 tokens is found.</summary>
    public int Window { get; init; } = 8;

    /// <summary>A pair is listed when the larger of its two shares reaches this (0..1).</summary>
    public double Threshold { get; init; } = 0.4;

    /// <summary>At most this many pairs (and as many known-solution pairs) are listed, highest first.</summary>
    public int MaxPairs { get; init; } = 500;

    /// <summary>Characters of source considered per submission (the rest is ignored, and said so).</summary>
    public int MaxSourceChars { get; init; } = 64 * 1024;

    /// <summary>A pair sharing fewer fingerprints than this is never listed, however large its shares
    /// (two near-empty hand-ins are not "similar").</summary>
    public int MinSharedFingerprints { get; init; } = 4;

    /// <summary>A fingerprint present in more than max(<see cref="CommonMinimum"/>, <see cref="CommonShare"/>
    /// of the class) submissions is a common idiom, not evidence: it is ignored on both sides.</summary>
    public double CommonShare { get; init; } = 0.2;

    /// <inheritdoc cref="CommonShare"/>
    public int CommonMinimum { get; init; } = 10;

    /// <summary>Base files (starter code): their k-grams never count. Null = the built-in handout skeletons.</summary>
    public IReadOnlyList<SimilarityDocument>? Bases { get; init; }
}
