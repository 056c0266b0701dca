using Autograder.Pipeline;
using Autograder.Submissions;

namespace Autograder.Similarity;

/// <summary>One source file as compared: its path relative to the submission and its (capped) text.</summary>
internal sealed record SimilaritySource(string Path, string Text);

/// <summary>A submission's sources as the similarity compares them: what the grader would compile (a
/// patch's my-rng.c, not the student's user-space test program), capped at
/// <see cref="SimilarityOptions.MaxSourceChars"/> in all. <see cref="Problem"/> says why nothing could be read.</summary>
internal sealed record SimilarityDocument(string Id, Language Language, IReadOnlyList<SimilaritySource> Files, bool Truncated, string? Problem)
{
    public static SimilarityDocument Read(Submission submission, int maxChars)
    {
        if (submission.Problem is not null)
        {
            return new SimilarityDocument(submission.Id, submission.Language, [], false, submission.Problem);
        }

        var (files, _, problem) = SourceLoader.Read(submission);
        if (problem is not null)
        {
            return new SimilarityDocument(submission.Id, submission.Language, [], false, problem);
        }

        var sources = new List<(string Path, string Text)>();
        foreach (var (path, text) in files)
        {
            if (path.EndsWith(".patch", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".diff", StringComparison.OrdinalIgnoreCase))
            {
                if (PatchExtractor.ExtractMyRng(text, out _) is { } driver && !sources.Any(s => s.Path == CBuilder.DriverPath))
                {
                    sources.Add((CBuilder.DriverPath, driver));
                }
            }
            else
            {
                sources.Add((path, text));
            }
        }

        // As the grader: a user-space test program next to the driver is not part of it.
        var userland = sources.Where(s => s.Path.EndsWith(".c", StringComparison.Ordinal) && CBuilder.IsUserProgram(s.Text)).ToList();
        if (userland.Count < sources.Count)
        {
            sources.RemoveAll(userland.Contains);
        }

        return Cap(submission, sources, maxChars);
    }

    /// <summary>A document from text in memory (the built-in base, tests).</summary>
    public static SimilarityDocument FromText(string id, Language language, string path, string text) =>
        new(id, language, [new SimilaritySource(path, text)], false, null);

    private static SimilarityDocument Cap(Submission submission, List<(string Path, string Text)> sources, int maxChars)
    {
        var left = maxChars;
        var truncated = false;
        var capped = new List<SimilaritySource>();
        foreach (var (path, text) in sources)
        {
            if (left <= 0)
            {
                truncated = true;
                break;
            }

            truncated |= text.Length > left;
            capped.Add(new SimilaritySource(path, text.Length > left ? text[..left] : text));
            left -= text.Length;
        }

        return new SimilarityDocument(submission.Id, submission.Language, capped, truncated, null);
    }
}
