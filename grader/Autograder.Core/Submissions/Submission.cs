namespace Autograder.Submissions;

/// <summary>Source language of a submission.</summary>
public enum Language { CSharp, C }

/// <summary>
/// One student's hand-in as found on disk: a source file, a folder of sources, or a patch.
/// <see cref="Id"/> is the path relative to the graded root, without extension, '/' as '-', and anything
/// outside [A-Za-z0-9._-] as '_'. <see cref="Problem"/> is set when the submission cannot be graded as
/// found (mixed C and C#, a patch without drivers/misc/my-rng.c, unreadable file): it is reported, not thrown.
/// </summary>
public sealed record Submission
{
    public required string Id { get; init; }
    public required Language Language { get; init; }
    /// <summary>Path relative to the graded root (for reports).</summary>
    public required string RelativePath { get; init; }
    /// <summary>Absolute paths of the source files (.cs, .c, .patch/.diff) it consists of.</summary>
    public required IReadOnlyList<string> Files { get; init; }
    public string? Problem { get; init; }
    /// <summary>Handed in late by the LMS's own account (Canvas's LATE marker).</summary>
    public bool Late { get; init; }
    /// <summary>When it was handed in, where the intake knows (a Canvas zip's entry times), else null.</summary>
    public DateTimeOffset? SubmittedAt { get; init; }
}
