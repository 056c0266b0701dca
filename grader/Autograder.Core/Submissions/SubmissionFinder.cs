using System.Text;
using System.Text.RegularExpressions;
using Autograder.Pipeline;

namespace Autograder.Submissions;

/// <summary>
/// Turns a path on disk into submissions. The rules are a contract with course scripts (issue 3, item 7):
/// <list type="bullet">
/// <item>a path that is a source file (.cs, .c, .patch, .diff) is one submission;</item>
/// <item>a folder is a collection: each source file directly inside is one submission, each sub-folder
/// holding source files directly is one submission (a multi-file driver), and each sub-folder holding no
/// source files is a nested collection, searched the same way;</item>
/// <item>ids are the path relative to the graded root without the file extension, '/' as '-', anything
/// outside [A-Za-z0-9._-] as '_'; a single file graded directly is its file name without extension.</item>
/// </list>
/// Decisions beyond that rule (documented in docs/cli.md):
/// <list type="bullet">
/// <item>Hidden entries (name starting with '.'), bin/, obj/, __MACOSX/ and symlinked folders are never
/// entered (the last so a link cannot make discovery loop).</item>
/// <item>Symbolic links are refused, never followed (a link in a git or tar hand-in could point at any
/// file the grader can read): a submission whose source file, or any folder on the way to it, is a link
/// gets a <see cref="Submission.Problem"/> naming it, and so does a student folder that is itself a
/// link or holds one directly (links deeper in a kernel tree it hands in are the tree's own and are
/// never read). Nothing is read through them.</item>
/// <item>A folder holding both .c files and patches: when one of the .c files is the exercise's
/// my-rng.c (or Canvas's renamed my-rng-N.c) the .c files are the submission; otherwise the patches are,
/// and the loose .c files are taken to be the student's user-space test program or QEMU device.</item>
/// <item>A folder without sources of its own that holds a kernel tree (drivers/misc/my-rng.c in it or in
/// one of its sub-folders) is one submission made of that file, not a collection of kernel folders.</item>
/// <item>Two submissions with the same id (a.c next to a.cs, or folder a/b next to a-b.c): the one whose
/// relative path sorts first (ordinal) keeps the id, the others get -2, -3, ... skipping ids in use.</item>
/// <item>The result is sorted by id (ordinal), so every run and every shard sees the same order.</item>
/// </list>
/// </summary>
internal static partial class SubmissionFinder
{
    /// <summary>File extensions that make a submission (lower case, with the dot).</summary>
    public static readonly IReadOnlyList<string> SourceExtensions = [".cs", ".c", ".patch", ".diff"];

    private static readonly HashSet<string> IgnoredFolders = new(StringComparer.OrdinalIgnoreCase) { "bin", "obj", "__MACOSX" };

    /// <summary>Finds the submissions at <paramref name="path"/> (file or folder). Throws
    /// <see cref="OperatorException"/> when the path does not exist or is a file that is not a source.</summary>
    public static IReadOnlyList<Submission> Find(string path)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            if (!IsSource(full))
            {
                throw new OperatorException($"not a submission: {path} (expected a folder or a .cs, .c, .patch or .diff file)");
            }
            var name = Path.GetFileName(full);
            return [Make(MakeId(Path.GetFileNameWithoutExtension(full)), name, [full]) with { Problem = LinkProblem(Path.GetDirectoryName(full)!, [full]) }];
        }
        if (!Directory.Exists(full))
        {
            throw new OperatorException($"no such file or folder: {path}");
        }

        var found = new List<(string RelativePath, string NaturalId, IReadOnlyList<string> Files, string? Problem)>();
        Collect(full, full, found);
        return AssignIds(found);
    }

    /// <summary>
    /// Treats <paramref name="path"/> as exactly one submission (the student's self-check and the
    /// Gradescope command, where the folder is the student's hand-in): a source file; a folder's own source
    /// files; or, for a folder without sources of its own, the one submission found below it. A folder with
    /// nothing gradable gives a submission carrying a <see cref="Submission.Problem"/>; a folder holding
    /// several submissions is an operator error.
    /// </summary>
    public static Submission FindOne(string path, string? id = null)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            var single = Find(full)[0];
            return id is null ? single : single with { Id = MakeId(id) };
        }
        if (!Directory.Exists(full))
        {
            throw new OperatorException($"no such file or folder: {path}");
        }
        var name = MakeId(id ?? Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar)));
        var own = SourcesDirectlyIn(full);
        if (own.Count > 0)
        {
            var files = ChooseFiles(own);
            return Make(name, ".", files) with { Problem = LinkProblem(full, files.Concat(Directory.EnumerateFileSystemEntries(full).Where(IsLink))) };
        }
        if (KernelTreeDriver(full) is { } driver)
        {
            return Make(name, ".", [driver]) with { Problem = LinkProblem(full, [driver]) };
        }
        var below = Find(full);
        return below.Count switch
        {
            0 => new Submission
            {
                Id = name,
                // No source means no language; C is the exercise's language, so the message reads naturally.
                Language = Language.C,
                RelativePath = ".",
                Files = [],
                Problem = "no .c, .cs, .patch or .diff file found in the submission",
            },
            1 => below[0] with { Id = name },
            _ => throw new OperatorException(
                $"{path} holds {below.Count} submissions ({string.Join(", ", below.Take(5).Select(s => s.Id))}{(below.Count > 5 ? ", ..." : "")}); give the path of one of them"),
        };
    }

    /// <summary>Builds an id from a relative path (without extension): '/' and '\' as '-', anything
    /// outside [A-Za-z0-9._-] as '_'.</summary>
    public static string MakeId(string relativePathWithoutExtension)
    {
        var sb = new StringBuilder(relativePathWithoutExtension.Length);
        foreach (var c in relativePathWithoutExtension)
        {
            sb.Append(c switch
            {
                '/' or '\\' => '-',
                _ when char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' => c,
                _ => '_',
            });
        }
        return sb.Length == 0 ? "_" : sb.ToString();
    }

    private static void Collect(string root, string folder, List<(string, string, IReadOnlyList<string>, string?)> found)
    {
        foreach (var file in SourcesDirectlyIn(folder))
        {
            var relative = Relative(root, file);
            found.Add((relative, MakeId(StripExtension(relative)), [file], LinkProblem(root, [file])));
        }
        foreach (var link in LinkedFolders(folder))
        {
            // Not entered (it could point anywhere, or loop), but not silently dropped either.
            var relative = Relative(root, link);
            found.Add((relative, MakeId(relative), [], $"{relative} is a symbolic link: links are refused, nothing is read through them"));
        }
        foreach (var sub in SubFolders(folder))
        {
            var relative = Relative(root, sub);
            var own = SourcesDirectlyIn(sub);
            if (own.Count > 0)
            {
                var files = ChooseFiles(own);
                found.Add((relative, MakeId(relative), files, LinkProblem(sub, files.Concat(Directory.EnumerateFileSystemEntries(sub).Where(IsLink)))));
            }
            else if (KernelTreeDriver(sub) is { } driver)
            {
                found.Add((relative, MakeId(relative), [driver], LinkProblem(sub, [driver])));
            }
            else
            {
                Collect(root, sub, found);
            }
        }
    }

    /// <summary>
    /// The first of <paramref name="files"/> that is a symbolic link, or lies in a linked folder below
    /// <paramref name="root"/> (the submission's own folder), as a problem naming it; null when none is.
    /// </summary>
    internal static string? LinkProblem(string root, IEnumerable<string> files)
    {
        var top = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar);
        foreach (var file in files)
        {
            for (var at = Path.GetFullPath(file); at.Length > top.Length && at.StartsWith(top + Path.DirectorySeparatorChar, StringComparison.Ordinal); at = Path.GetDirectoryName(at)!)
            {
                if (IsLink(at))
                {
                    var name = Relative(top, at);
                    return $"{name} is a symbolic link: links are refused, nothing is read through them";
                }
            }
        }

        return null;
    }

    internal static bool IsLink(string path)
    {
        try
        {
            return (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone or unreadable: SourceLoader reports it when it reads the file.
            return false;
        }
    }

    private static List<Submission> AssignIds(List<(string RelativePath, string NaturalId, IReadOnlyList<string> Files, string? Problem)> found)
    {
        found.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        // A natural id that is unique is never taken by another submission's suffix.
        var taken = new HashSet<string>(found.Select(f => f.NaturalId), StringComparer.Ordinal);
        var assigned = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<Submission>(found.Count);
        foreach (var (relativePath, naturalId, files, problem) in found)
        {
            var id = naturalId;
            if (!assigned.Add(id))
            {
                var n = 2;
                while (taken.Contains($"{naturalId}-{n}") || assigned.Contains($"{naturalId}-{n}"))
                {
                    n++;
                }
                id = $"{naturalId}-{n}";
                assigned.Add(id);
            }
            var made = Make(id, relativePath, files);
            result.Add(problem is null ? made : made with { Problem = problem });
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return result;
    }

    private static Submission Make(string id, string relativePath, IReadOnlyList<string> files)
    {
        var hasCs = files.Any(f => Extension(f) == ".cs");
        var hasC = files.Any(f => Extension(f) != ".cs");
        return new Submission
        {
            Id = id,
            Language = hasCs ? Language.CSharp : Language.C,
            RelativePath = relativePath,
            Files = files,
            Problem = files.Count > Bounds.MaxSourceFiles ? $"{files.Count} source files: a submission may have at most {Bounds.MaxSourceFiles}"
                : hasCs && hasC ? "mixes C and C# sources" : null,
        };
    }

    /// <summary>A .c next to patches: see the class remarks.</summary>
    private static IReadOnlyList<string> ChooseFiles(IReadOnlyList<string> sources)
    {
        var cFiles = sources.Where(f => Extension(f) == ".c").ToList();
        var patches = sources.Where(f => Extension(f) is ".patch" or ".diff").ToList();
        if (cFiles.Count == 0 || patches.Count == 0)
        {
            return sources;
        }
        var keepC = cFiles.Any(f => DriverFileName().IsMatch(Path.GetFileName(f)));
        var drop = keepC ? patches : cFiles;
        return sources.Where(f => !drop.Contains(f)).ToList();
    }

    /// <summary>drivers/misc/my-rng.c in the folder itself or one level down (a "linux/" or
    /// "linux-6.1/" tree inside the student's folder).</summary>
    private static string? KernelTreeDriver(string folder)
    {
        foreach (var tree in SubFolders(folder).Prepend(folder))
        {
            var candidate = Path.Combine(tree, "drivers", "misc", "my-rng.c");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static List<string> SourcesDirectlyIn(string folder) =>
        Directory.EnumerateFiles(folder)
            .Where(f => !Path.GetFileName(f).StartsWith('.') && IsSource(f))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static IEnumerable<string> LinkedFolders(string folder) =>
        Directory.EnumerateDirectories(folder)
            .Where(d => !Path.GetFileName(d).StartsWith('.') && !IgnoredFolders.Contains(Path.GetFileName(d)) && IsLink(d))
            .Order(StringComparer.Ordinal);

    private static List<string> SubFolders(string folder) =>
        Directory.EnumerateDirectories(folder)
            .Where(d =>
            {
                var name = Path.GetFileName(d);
                return !name.StartsWith('.') && !IgnoredFolders.Contains(name) && new DirectoryInfo(d).LinkTarget is null;
            })
            .Order(StringComparer.Ordinal)
            .ToList();

    private static bool IsSource(string file) => SourceExtensions.Contains(Extension(file));

    private static string Extension(string file) => Path.GetExtension(file).ToLowerInvariant();

    private static string StripExtension(string relativePath) =>
        relativePath[..^Path.GetExtension(relativePath).Length];

    private static string Relative(string root, string path) =>
        Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');

    [GeneratedRegex(@"^my-rng(-\d+)?\.c$", RegexOptions.IgnoreCase)]
    private static partial Regex DriverFileName();
}
