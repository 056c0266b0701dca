using Autograder.Submissions;

namespace Autograder.Similarity;

/// <summary>The built-in base: the skeleton the exercise handout gives every student (C), and its port to
/// the C# driver API, embedded from Similarity/Base/. Two students who both kept it are not similar for it.</summary>
internal static class BaseFiles
{
    public static IReadOnlyList<SimilarityDocument> BuiltIn { get; } =
    [
        SimilarityDocument.FromText("base:handout-skeleton.c", Language.C, "handout-skeleton.c", Resource("handout-skeleton.c")),
        SimilarityDocument.FromText("base:handout-skeleton.cs", Language.CSharp, "handout-skeleton.cs", Resource("handout-skeleton.cs")),
    ];

    private static string Resource(string name)
    {
        var resource = $"similarity/{name}";
        using var stream = typeof(BaseFiles).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"{resource} is not embedded in {typeof(BaseFiles).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
