using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;
using Autograder.Pipeline;

namespace Autograder.Submissions;

/// <summary>Limits an LMS zip must stay within; anything beyond is refused as a whole (an LMS export
/// never comes near them, a zip bomb does).</summary>
internal sealed record ZipLimits
{
    public long MaxTotalBytes { get; init; } = 200L * 1024 * 1024;
    public long MaxEntryBytes { get; init; } = 20L * 1024 * 1024;
    public int MaxEntries { get; init; } = 10_000;
    /// <summary>Uncompressed/compressed above this is a bomb, for entries larger than <see cref="RatioFloorBytes"/>
    /// (small, very repetitive files legitimately compress well).</summary>
    public double MaxCompressionRatio { get; init; } = 200;
    public long RatioFloorBytes { get; init; } = 1024 * 1024;

    public static readonly ZipLimits Default = new();
}

/// <summary>An LMS zip extracted to a private temp folder; disposing deletes the folder.</summary>
internal sealed class ExtractedZip : IDisposable
{
    public ExtractedZip(string tempDir, string root, IReadOnlyList<Submission> submissions, IReadOnlyList<(string Path, string Why)>? bad = null)
    {
        TempDir = tempDir;
        Root = root;
        Bad = bad ?? [];
        Submissions = ZipIntake.Blame(submissions, root, tempDir, Bad);
    }

    /// <summary>Entries that could not be extracted (path relative to <see cref="TempDir"/>, what went wrong).</summary>
    public IReadOnlyList<(string Path, string Why)> Bad { get; }

    /// <summary>The temp folder everything was extracted into.</summary>
    public string TempDir { get; }
    /// <summary>The graded root (the temp folder, or the zip's single wrapper folder).</summary>
    public string Root { get; }
    public IReadOnlyList<Submission> Submissions { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(TempDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not turn a finished run into a failure.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>
/// Reads a zip of submissions as LMSs export them, then applies <see cref="SubmissionFinder"/>:
/// <list type="bullet">
/// <item>one folder per student (Moodle, hand-made zips): kept as is; a zip whose top level is a single
/// folder of folders is unwrapped, so ids are the students' folder names;</item>
/// <item>Canvas's flat layout, files at the top level named <c>login_[LATE_]userid_submissionid_file</c>
/// (e.g. <c>smithjohn_LATE_12345_67890_my-rng-1.c</c>): each such file moves to the folder named by its
/// first field (<c>smithjohn/my-rng-1.c</c>), so a student's files form one submission with id
/// <c>smithjohn</c>. Only the student's newest hand-in is kept: a LATE one is newer than any on time, then
/// the higher submission id (Canvas numbers hand-ins in order; a re-upload of a name gets "-1", "-2"),
/// so an earlier my-rng.c is not compiled beside its resubmission. Its LATE marker and the entries' time
/// become the submission's <see cref="Submission.Late"/> and <see cref="Submission.SubmittedAt"/>.</item>
/// </list>
/// Safety: entries escaping the folder (zip-slip: "..", absolute paths) and sizes beyond
/// <see cref="ZipLimits"/> (counted while inflating, since headers can lie) refuse the whole zip with an
/// <see cref="OperatorException"/> naming it. An entry that cannot be extracted for what it is (a name
/// that is both a file and a folder, corrupt data) makes the submission it belongs to invalid, with a
/// message naming it; the other students are graded.
/// </summary>
internal static partial class ZipIntake
{
    public static bool IsZip(string path) =>
        string.Equals(Path.GetExtension(path), ".zip", StringComparison.OrdinalIgnoreCase);

    public static ExtractedZip Extract(string zipPath, ZipLimits? limits = null)
    {
        limits ??= ZipLimits.Default;
        if (!File.Exists(zipPath))
        {
            throw new OperatorException($"no such file or folder: {zipPath}");
        }
        var temp = Directory.CreateTempSubdirectory("autograder-zip-").FullName;
        try
        {
            var (handIns, bad) = ExtractAll(zipPath, temp, limits);
            var root = Unwrap(temp);
            var submissions = SubmissionFinder.Find(root)
                .Select(s => handIns.TryGetValue(s.RelativePath, out var h) ? s with { Late = h.Late, SubmittedAt = h.At } : s)
                .ToList();
            return new ExtractedZip(temp, root, submissions, bad);
        }
        catch
        {
            Directory.Delete(temp, recursive: true);
            throw;
        }
    }

    /// <summary>A Canvas hand-in: LATE or not, Canvas's submission id, the newest entry time.</summary>
    private readonly record struct CanvasHandIn(bool Late, long Id, DateTimeOffset At) : IComparable<CanvasHandIn>
    {
        public int CompareTo(CanvasHandIn other) => Late != other.Late ? Late.CompareTo(other.Late) : Id.CompareTo(other.Id);
    }

    /// <summary>Extracts the zip; returns the Canvas hand-in kept for each login (none for other layouts) and the
    /// entries that could not be extracted.</summary>
    private static (Dictionary<string, CanvasHandIn> HandIns, List<(string Path, string Why)> Bad) ExtractAll(string zipPath, string dest, ZipLimits limits)
    {
        var bad = new List<(string, string)>();
        ZipArchive archive;
        try
        {
            archive = ZipFile.OpenRead(zipPath);
        }
        catch (InvalidDataException e)
        {
            throw new OperatorException($"{zipPath}: not a readable zip ({e.Message})");
        }
        using (archive)
        {
            var refuse = (string why) => new OperatorException($"{zipPath}: refused, {why}");
            if (archive.Entries.Count > limits.MaxEntries)
            {
                throw refuse($"{archive.Entries.Count} entries (limit {limits.MaxEntries})");
            }
            var destRoot = Path.GetFullPath(dest) + Path.DirectorySeparatorChar;
            var newest = NewestCanvasHandIns(archive);
            long total = 0;
            foreach (var entry in archive.Entries)
            {
                var name = entry.FullName.Replace('\\', '/');
                if (name.Length == 0)
                {
                    continue;
                }
                if (name.StartsWith('/') || Path.IsPathRooted(name) || name.Split('/').Contains(".."))
                {
                    throw refuse($"entry '{entry.FullName}' points outside the extraction folder (zip-slip)");
                }
                if (name.EndsWith('/'))
                {
                    var folder = Inside(destRoot, name, refuse, entry.FullName);
                    Try(bad, name.TrimEnd('/'), entry.FullName, () => Directory.CreateDirectory(folder));
                    continue;
                }
                if (entry.Length > limits.MaxEntryBytes)
                {
                    throw refuse($"entry '{entry.FullName}' is {entry.Length} bytes (limit {limits.MaxEntryBytes})");
                }
                if (entry.Length > limits.RatioFloorBytes && entry.CompressedLength > 0
                    && (double)entry.Length / entry.CompressedLength > limits.MaxCompressionRatio)
                {
                    throw refuse($"entry '{entry.FullName}' inflates {entry.Length / entry.CompressedLength}x (limit {limits.MaxCompressionRatio}x): a zip bomb?");
                }

                if (!name.Contains('/') && CanvasName().Match(name) is { Success: true } m)
                {
                    // Canvas flat layout: group by the student's login, keeping only the newest hand-in.
                    var login = m.Groups["login"].Value;
                    if (newest[login].CompareTo(CanvasOf(m, entry)) != 0)
                    {
                        continue;
                    }
                    name = login + "/" + m.Groups["file"].Value;
                }

                var path = Inside(destRoot, name, refuse, entry.FullName);
                var written = 0L;
                var extracted = Try(bad, name, entry.FullName, () =>
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    using var input = entry.Open();
                    using var output = File.Create(path);
                    var buffer = new byte[81920];
                    int read;
                    while ((read = input.Read(buffer)) > 0)
                    {
                        written += read;
                        total += read;
                        if (written > limits.MaxEntryBytes)
                        {
                            throw refuse($"entry '{entry.FullName}' inflates beyond {limits.MaxEntryBytes} bytes");
                        }
                        if (total > limits.MaxTotalBytes)
                        {
                            throw refuse($"its contents exceed {limits.MaxTotalBytes} bytes uncompressed");
                        }
                        output.Write(buffer, 0, read);
                    }
                });
                if (!extracted && File.Exists(path))
                {
                    // A half-written file (corrupt data) must not be graded as if whole.
                    File.Delete(path);
                }
            }
            return (newest, bad);
        }
    }

    /// <summary>Runs one entry's extraction; an entry that cannot be written for what it is (a file where a
    /// folder is, or the reverse; corrupt data) is recorded, not thrown.</summary>
    private static bool Try(List<(string, string)> bad, string name, string original, Action extract)
    {
        try
        {
            extract();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            var why = e is InvalidDataException ? "its data is corrupt" : "a file and a folder share its name";
            bad.Add((name, $"the zip entry '{original}' could not be extracted ({why})"));
            return false;
        }
    }

    /// <summary>
    /// Marks the submission each bad entry belongs to as invalid (the deepest submission whose path holds
    /// it; when none does, e.g. the clash hid the student's folder, a submission named after the entry's
    /// folder is added). The other submissions are untouched.
    /// </summary>
    internal static IReadOnlyList<Submission> Blame(IReadOnlyList<Submission> submissions, string root, string tempDir, IReadOnlyList<(string Path, string Why)> bad)
    {
        if (bad.Count == 0)
        {
            return submissions;
        }

        var result = submissions.ToList();
        var rootPrefix = Path.GetRelativePath(tempDir, root).Replace('\\', '/');
        foreach (var (path, why) in bad)
        {
            var relative = rootPrefix == "." ? path : path.StartsWith(rootPrefix + "/", StringComparison.Ordinal) ? path[(rootPrefix.Length + 1)..] : path;
            var owner = result.FindIndex(s => s.RelativePath == "." || relative == s.RelativePath || relative.StartsWith(s.RelativePath + "/", StringComparison.Ordinal));
            if (owner < 0)
            {
                var folder = relative.Contains('/') ? relative[..relative.LastIndexOf('/')] : relative;
                var id = SubmissionFinder.MakeId(folder);
                owner = result.FindIndex(s => s.Id == id);
                if (owner < 0)
                {
                    result.Add(new Submission { Id = id, Language = Language.C, RelativePath = folder, Files = [] });
                    owner = result.Count - 1;
                }
            }

            var blamed = result[owner];
            result[owner] = blamed with { Problem = blamed.Problem is null ? why : blamed.Problem + "; " + why };
        }

        result.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return result;
    }

    private static CanvasHandIn CanvasOf(Match m, ZipArchiveEntry entry) =>
        new(m.Groups["late"].Success, long.Parse(m.Groups["sub"].Value, CultureInfo.InvariantCulture), entry.LastWriteTime);

    /// <summary>Per login, the newest Canvas hand-in (with its newest entry time).</summary>
    private static Dictionary<string, CanvasHandIn> NewestCanvasHandIns(ZipArchive archive)
    {
        var newest = new Dictionary<string, CanvasHandIn>(StringComparer.Ordinal);
        foreach (var entry in archive.Entries)
        {
            var name = entry.FullName.Replace('\\', '/');
            if (name.Contains('/') || CanvasName().Match(name) is not { Success: true } m)
            {
                continue;
            }
            var handIn = CanvasOf(m, entry);
            var login = m.Groups["login"].Value;
            if (!newest.TryGetValue(login, out var kept) || handIn.CompareTo(kept) > 0)
            {
                newest[login] = handIn;
            }
            else if (handIn.CompareTo(kept) == 0 && handIn.At > kept.At)
            {
                newest[login] = kept with { At = handIn.At };
            }
        }
        return newest;
    }

    private static string Inside(string destRoot, string name, Func<string, OperatorException> refuse, string original)
    {
        var full = Path.GetFullPath(Path.Combine(destRoot, name));
        if (!full.StartsWith(destRoot, StringComparison.Ordinal) && full + Path.DirectorySeparatorChar != destRoot)
        {
            throw refuse($"entry '{original}' points outside the extraction folder (zip-slip)");
        }
        return full;
    }

    /// <summary>A zip holding one folder that holds only folders is a wrapper ("submissions/alice/..."):
    /// grade from inside it so ids are the students' folder names.</summary>
    private static string Unwrap(string root)
    {
        static bool Visible(string p) => !Path.GetFileName(p).StartsWith('.') && Path.GetFileName(p) != "__MACOSX";
        var files = Directory.EnumerateFiles(root).Where(Visible).ToList();
        var dirs = Directory.EnumerateDirectories(root).Where(Visible).ToList();
        if (files.Count == 0 && dirs.Count == 1)
        {
            var inner = dirs[0];
            var innerHasFiles = Directory.EnumerateFiles(inner).Any(Visible);
            if (!innerHasFiles && Directory.EnumerateDirectories(inner).Any(Visible))
            {
                return inner;
            }
        }
        return root;
    }

    [GeneratedRegex(@"^(?<login>[A-Za-z0-9][A-Za-z0-9.\-]*)_(?:(?<late>LATE)_)?(?<user>\d+)_(?<sub>\d+)_(?<file>[^/]+)$")]
    private static partial Regex CanvasName();
}
