using Autograder.Similarity;
using Autograder.Submissions;

namespace Autograder.Tests.Similarity;

/// <summary>The drivers under Similarity/Data (see its README), as similarity documents.</summary>
internal static class SimilarityData
{
    public static string Root => Path.Combine(TestPaths.RepoRoot, "tests", "Autograder.Tests", "Similarity", "Data");

    public static SimilarityDocument Load(string relative)
    {
        var path = Path.Combine(Root, relative);
        var language = path.EndsWith(".cs", StringComparison.Ordinal) ? Language.CSharp : Language.C;
        return SimilarityDocument.FromText(Path.GetFileNameWithoutExtension(path), language, Path.GetFileName(path), File.ReadAllText(path));
    }

    public static IReadOnlyList<SimilarityDocument> Folder(string relative) =>
        [.. Directory.GetFiles(Path.Combine(Root, relative)).Order(StringComparer.Ordinal).Select(f => Load(Path.GetRelativePath(Root, f)))];

    /// <summary>Every pair with its shares, nothing filtered (threshold and minimum at 0).</summary>
    public static SimilarityResult All(IReadOnlyList<SimilarityDocument> documents, IReadOnlyList<SimilarityDocument>? known = null) =>
        SimilarityAnalysis.Run(documents, known ?? [], new SimilarityOptions { Threshold = 0, MinSharedFingerprints = 0 });
}
