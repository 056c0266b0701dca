using System.Text;
using Autograder.Model;
using Autograder.Submissions;

namespace Autograder.Pipeline;

/// <summary>
/// Reads a submission's files as the student handed them in, refusing what cannot be a driver source
/// (empty, binary, absurdly large, a symbolic link, more than <see cref="Bounds.MaxSourceFiles"/> files) with a
/// message naming the file, and keeping a copy for reports.
/// </summary>
internal static class SourceLoader
{
    public const int MaxSourceBytes = 1 << 20;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The sources to compile (path relative to the submission, text), or a problem.</summary>
    public static (IReadOnlyList<(string Path, string Text)> Files, List<Model.Diagnostic> Notes, string? Problem) Read(Submission submission)
    {
        var files = new List<(string, string)>();
        var notes = new List<Model.Diagnostic>();
        var root = CommonRoot(submission.Files);
        if (submission.Files.Count > Bounds.MaxSourceFiles)
        {
            return ([], notes, $"{submission.Files.Count} source and header files: a submission may have at most {Bounds.MaxSourceFiles}");
        }

        foreach (var path in submission.Files)
        {
            var name = Path.GetRelativePath(root, path);
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return ([], notes, $"{name}: the file disappeared");
            }

            // SubmissionFinder refuses links already; this holds for any other way a submission is made.
            if (info.LinkTarget is not null)
            {
                return ([], notes, $"{name} is a symbolic link: links are refused, nothing is read through them");
            }

            if (info.Length == 0)
            {
                return ([], notes, $"{name} is empty");
            }

            if (info.Length > MaxSourceBytes)
            {
                return ([], notes, $"{name} is {info.Length / (1024.0 * 1024.0):0.#} MiB: too large for a driver source (limit {MaxSourceBytes / (1024 * 1024)} MiB)");
            }

            var bytes = File.ReadAllBytes(path);
            if (Array.IndexOf(bytes, (byte)0) >= 0)
            {
                return ([], notes, $"{name} is a binary file, not source code");
            }

            string text;
            try
            {
                text = StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                text = Encoding.Latin1.GetString(bytes);
                notes.Add(new Model.Diagnostic("warning", name, 1, 1, "the file is not UTF-8; it was read as Latin-1"));
            }

            files.Add((name, text.TrimStart('\uFEFF')));
        }

        return (files, notes, null);
    }

    /// <summary>The copies kept in results.json (capped with the rest of the result by <see cref="Bounds"/>).</summary>
    public static IReadOnlyList<SourceFile> ForReport(IEnumerable<(string Path, string Text)> files) =>
        [.. files.Select(f => new SourceFile(f.Path, f.Text))];

    /// <summary>The deepest folder holding all the files (what their reported paths are relative to).</summary>
    internal static string CommonRoot(IReadOnlyList<string> files) =>
        files.Count == 1 ? Path.GetDirectoryName(files[0]) ?? "." : files.Select(f => Path.GetDirectoryName(f) ?? ".").Aggregate(Common);

    private static string Common(string a, string b)
    {
        while (!(b + "/").StartsWith(a + "/", StringComparison.Ordinal) && a.Length > 1)
        {
            a = Path.GetDirectoryName(a) ?? "/";
        }

        return a;
    }
}
