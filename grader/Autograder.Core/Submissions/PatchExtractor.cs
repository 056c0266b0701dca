using System.Globalization;

namespace Autograder.Submissions;

/// <summary>
/// Takes drivers/misc/my-rng.c out of a kernel patch as students hand it in: a git format-patch
/// mail (or several concatenated, a series), or a plain unified diff (diff -u, diff -ruN), possibly
/// touching other files too (the Makefile, Kconfig). The file must be created by the patch (we hold
/// no kernel tree to apply a change to); later hunks of the series that modify it are applied.
/// </summary>
internal static class PatchExtractor
{
    public const string TargetPath = "drivers/misc/my-rng.c";

    private sealed record Hunk(int OldStart, IReadOnlyList<string> Lines, bool NoNewlineAtEnd);

    /// <summary>
    /// The new content of drivers/misc/my-rng.c, or null with <paramref name="problem"/> saying why
    /// (the patch does not create that file, only modifies it, deletes it, or a later change does not apply).
    /// </summary>
    public static string? ExtractMyRng(string patchText, out string? problem)
    {
        var lines = patchText.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var touched = new List<string>();
        List<string>? content = null;
        var noNewline = false;
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("--- ", StringComparison.Ordinal) || i + 1 >= lines.Length || !lines[i + 1].StartsWith("+++ ", StringComparison.Ordinal))
            {
                continue;
            }

            var oldPath = PathOf(lines[i][4..]);
            var newPath = PathOf(lines[i + 1][4..]);
            var path = newPath == "/dev/null" ? oldPath : newPath;
            touched.Add(path.StartsWith("a/", StringComparison.Ordinal) || path.StartsWith("b/", StringComparison.Ordinal) ? path[2..] : path);
            i += 2;
            var hunks = ReadHunks(lines, ref i);
            i--;
            if (!IsTarget(path))
            {
                continue;
            }

            if (newPath == "/dev/null")
            {
                content = null;
                problem = $"the patch deletes {TargetPath}";
                continue;
            }

            var creates = oldPath == "/dev/null" || (hunks.Count == 1 && hunks[0].OldStart == 0 && hunks[0].Lines.All(l => l.StartsWith('+')));
            if (creates)
            {
                if (hunks.Count == 0)
                {
                    problem = $"the patch names {TargetPath} but holds no hunk with its content";
                    return null;
                }

                content = [];
                noNewline = false;
            }
            else if (content is null)
            {
                problem = $"the patch modifies {TargetPath} instead of creating it: only a patch that creates the file (diff against /dev/null) can be graded";
                return null;
            }

            var delta = 0;
            foreach (var hunk in hunks)
            {
                var at = Math.Max(0, hunk.OldStart - 1) + delta;
                var old = hunk.Lines.Where(l => l[0] != '+').Select(l => l[1..]).ToList();
                var replacement = hunk.Lines.Where(l => l[0] != '-').Select(l => l[1..]).ToList();
                if (at > content.Count || at + old.Count > content.Count || !content.GetRange(at, old.Count).SequenceEqual(old, StringComparer.Ordinal))
                {
                    problem = $"a later change to {TargetPath} in the patch does not apply to the file it created (hunk at line {hunk.OldStart.ToString(CultureInfo.InvariantCulture)})";
                    return null;
                }

                content.RemoveRange(at, old.Count);
                content.InsertRange(at, replacement);
                delta += replacement.Count - old.Count;
                if (at + replacement.Count == content.Count)
                {
                    noNewline = hunk.NoNewlineAtEnd;
                }
            }
        }

        if (content is not null)
        {
            problem = null;
            var text = string.Join('\n', content);
            return content.Count == 0 || noNewline ? text : text + "\n";
        }

        problem = touched.Count == 0
            ? $"the patch does not create {TargetPath} (it holds no unified diff)"
            : touched.Any(IsTarget)
                ? $"the patch deletes {TargetPath}"
                : $"the patch does not create {TargetPath} (it touches: {string.Join(", ", touched.Distinct())})";
        return null;
    }

    // Reads the hunks that follow a file header; leaves i on the first line after them.
    private static List<Hunk> ReadHunks(string[] lines, ref int i)
    {
        var hunks = new List<Hunk>();
        while (i < lines.Length && lines[i].StartsWith("@@ ", StringComparison.Ordinal))
        {
            var (oldStart, oldCount, newCount) = ParseHeader(lines[i]);
            i++;
            var body = new List<string>();
            int oldSeen = 0, newSeen = 0;
            var noNewline = false;
            while (i < lines.Length && (oldSeen < oldCount || newSeen < newCount))
            {
                var line = lines[i];
                // An editor that strips trailing blanks turns an empty context line " " into "".
                var kind = line.Length == 0 ? ' ' : line[0];
                if (kind == '\\')
                {
                    i++;
                    continue;
                }

                if (kind is not (' ' or '+' or '-'))
                {
                    break;
                }

                body.Add(line.Length == 0 ? " " : line);
                oldSeen += kind == '+' ? 0 : 1;
                newSeen += kind == '-' ? 0 : 1;
                i++;
            }

            if (i < lines.Length && lines[i].StartsWith('\\'))
            {
                // "\ No newline at end of file" after the hunk's last line: it is the file's last line.
                noNewline = body.Count > 0 && body[^1][0] != '-';
                i++;
            }

            hunks.Add(new Hunk(oldStart, body, noNewline));
        }

        return hunks;
    }

    // "@@ -12,3 +12,4 @@ ..." -> (12, 3, 4); a missing count is 1.
    private static (int OldStart, int OldCount, int NewCount) ParseHeader(string header)
    {
        var parts = header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var (oldStart, oldCount) = Range(parts.Length > 1 ? parts[1].TrimStart('-') : "0");
        var (_, newCount) = Range(parts.Length > 2 ? parts[2].TrimStart('+') : "0");
        return (oldStart, oldCount, newCount);
    }

    private static (int Start, int Count) Range(string text)
    {
        var comma = text.IndexOf(',');
        var start = int.TryParse(comma < 0 ? text : text[..comma], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
        var count = comma < 0 ? 1 : int.TryParse(text[(comma + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : 0;
        return (start, count);
    }

    // "a/drivers/misc/my-rng.c\t2024-01-01 ..." -> "a/drivers/misc/my-rng.c"
    private static string PathOf(string header)
    {
        var text = header.Trim();
        var tab = text.IndexOf('\t');
        if (tab >= 0)
        {
            text = text[..tab];
        }

        if (text.Length >= 2 && text[0] == '"' && text[^1] == '"')
        {
            text = text[1..^1];
        }

        return text.TrimEnd();
    }

    // a/, b/ prefixes and any leading directories of the tree (linux-6.6.4/drivers/misc/my-rng.c).
    private static bool IsTarget(string path) =>
        path == TargetPath || path.EndsWith("/" + TargetPath, StringComparison.Ordinal);
}
