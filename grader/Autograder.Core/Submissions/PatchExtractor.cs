using System.Text;

namespace Autograder.Submissions;

/// <summary>
/// Takes drivers/misc/my-rng.c out of a kernel patch as students hand it in: a git format-patch
/// mail or a plain unified diff (diff -u, diff -ruN), possibly touching other files too (the
/// Makefile, Kconfig). Only a hunk that creates the file can be used: we hold no kernel tree to
/// apply a modification to.
/// </summary>
internal static class PatchExtractor
{
    public const string TargetPath = "drivers/misc/my-rng.c";

    /// <summary>
    /// The new content of drivers/misc/my-rng.c, or null with <paramref name="problem"/> saying why
    /// (the patch does not create that file, or only modifies it).
    /// </summary>
    public static string? ExtractMyRng(string patchText, out string? problem)
    {
        var lines = patchText.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var touched = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("--- ", StringComparison.Ordinal) || i + 1 >= lines.Length || !lines[i + 1].StartsWith("+++ ", StringComparison.Ordinal))
            {
                continue;
            }

            var oldPath = PathOf(lines[i][4..]);
            var newPath = PathOf(lines[i + 1][4..]);
            var path = newPath == "/dev/null" ? oldPath : newPath;
            touched.Add(path);
            if (!IsTarget(path))
            {
                continue;
            }

            if (newPath == "/dev/null")
            {
                problem = $"the patch deletes {TargetPath}";
                return null;
            }

            var creates = oldPath == "/dev/null" || IsCreationHunk(lines, i + 2);
            if (!creates)
            {
                problem = $"the patch modifies {TargetPath} instead of creating it: only a patch that creates the file (diff against /dev/null) can be graded";
                return null;
            }

            return ReadCreatedFile(lines, i + 2, out problem);
        }

        problem = touched.Count == 0
            ? $"the patch does not create {TargetPath} (it holds no unified diff)"
            : $"the patch does not create {TargetPath} (it touches: {string.Join(", ", touched.Distinct())})";
        return null;
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

    // diff -N writes the creation of a file as "--- a/x <epoch>" with a "@@ -0,0 +1,n @@" hunk.
    private static bool IsCreationHunk(string[] lines, int start) =>
        start < lines.Length && lines[start].StartsWith("@@ -0,0 ", StringComparison.Ordinal);

    private static string? ReadCreatedFile(string[] lines, int start, out string? problem)
    {
        var text = new StringBuilder();
        var i = start;
        var sawHunk = false;
        var noNewline = false;
        while (i < lines.Length && lines[i].StartsWith("@@", StringComparison.Ordinal))
        {
            sawHunk = true;
            var expected = NewCount(lines[i]);
            i++;
            var read = 0;
            while (i < lines.Length && (expected < 0 || read < expected))
            {
                var line = lines[i];
                if (line.StartsWith('+'))
                {
                    text.Append(line, 1, line.Length - 1).Append('\n');
                    read++;
                }
                else if (line.StartsWith('\\'))
                {
                    // "\ No newline at end of file" belongs to the line before.
                    noNewline = true;
                }
                else
                {
                    break;
                }

                i++;
            }

            if (i < lines.Length && lines[i].StartsWith('\\'))
            {
                noNewline = true;
                i++;
            }
        }

        if (!sawHunk)
        {
            problem = $"the patch names {TargetPath} but holds no hunk with its content";
            return null;
        }

        if (noNewline && text.Length > 0)
        {
            text.Length--;
        }

        problem = null;
        return text.ToString();
    }

    // "@@ -0,0 +1,85 @@" -> 85; "@@ -0,0 +1 @@" -> 1; unparsable -> -1 (read while lines start with '+').
    private static int NewCount(string header)
    {
        var plus = header.IndexOf(" +", StringComparison.Ordinal);
        if (plus < 0)
        {
            return -1;
        }

        var end = header.IndexOf(' ', plus + 2);
        var range = end < 0 ? header[(plus + 2)..] : header[(plus + 2)..end];
        var comma = range.IndexOf(',');
        return comma < 0 ? 1 : int.TryParse(range[(comma + 1)..], out var n) ? n : -1;
    }
}
