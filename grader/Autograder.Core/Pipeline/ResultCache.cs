using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Autograder.Check;
using Autograder.Model;
using Autograder.Submissions;

namespace Autograder.Pipeline;

/// <summary>
/// Incremental regrading: a submission whose sources, rubric and grader are unchanged since it was last
/// graded gets its stored result back instead of being graded again (issue 8).
/// <para>
/// Key = SHA-256 over: the key format version; the grader fingerprint (version, the Core and KernelApi
/// assembly MVIDs, the worker's bytes, the native model's content-keyed directory, the bytes of rubric
/// plugins) — so a rebuilt grader never reuses results of the old one; the rubric's sha256; the random
/// seed when the operator pinned one (--seed; a drawn seed stays out of the key, and each result records the
/// seed it was graded with, so it can still be replayed); the selected check ids (which --only, --visibility and the due date decide); the
/// language; and each source file's relative path and bytes, in path order.
/// </para>
/// <para>
/// Value = the <see cref="SubmissionResult"/> as JSON (<see cref="ResultsJson.Options"/>), under
/// &lt;cache root&gt;/results-v1/&lt;2 hex&gt;/&lt;hash&gt;.json, written to a temporary file and renamed
/// so a reader never sees half a file. On reuse the id and path are the current run's (the same sources
/// may sit elsewhere now); DurationMs stays the original grading time. A file that cannot be read or
/// parsed is a miss, never a crash. Results with a grader fault or a harness error are never stored:
/// the next run must try again. A cancelled grading throws before anything is stored.
/// </para>
/// <para>
/// The directory is private to the grading user (0700): results hold the students' sources.
/// Thread-safe: each call works on its own files; concurrent writers of one key write identical content.
/// </para>
/// </summary>
internal sealed class ResultCache
{
    public const string FolderName = "results-v1";
    private const int KeyFormat = 1;

    private static readonly JsonSerializerOptions Json = ResultsJson.Compact;

    private static readonly Lazy<string> Fingerprint = new(ComputeFingerprint, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _dir;
    private readonly byte[] _runKey;
    private int _hits;
    private int _stores;

    /// <param name="cacheRoot">The grader's cache root (<see cref="DefaultRoot"/> in production).</param>
    /// <param name="rubric">The run's rubric (its sha256 and plugins enter the key).</param>
    /// <param name="selectedCheckIds">The checks the run shows and scores.</param>
    /// <param name="pinnedSeed">The seed the operator asked for, or null when the run drew one.</param>
    public ResultCache(string cacheRoot, Rubric rubric, IEnumerable<string> selectedCheckIds, int? pinnedSeed)
    {
        _dir = Path.Combine(cacheRoot, FolderName);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, $"autograder-results-{KeyFormat}");
        Append(hash, Fingerprint.Value);
        foreach (var plugin in rubric.Plugins)
        {
            Append(hash, plugin);
            Append(hash, File.Exists(plugin) ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(plugin))) : "missing");
        }

        Append(hash, rubric.Sha256);
        Append(hash, pinnedSeed is { } seed ? seed.ToString(System.Globalization.CultureInfo.InvariantCulture) : "drawn");
        Append(hash, string.Join(",", selectedCheckIds));
        _runKey = hash.GetHashAndReset();
    }

    /// <summary>Results reused so far.</summary>
    public int Hits => Volatile.Read(ref _hits);

    /// <summary>Results stored so far.</summary>
    public int Stores => Volatile.Read(ref _stores);

    /// <summary>AUTOGRADER_CACHE, else /var/cache/autograder as root, else ~/.cache/autograder (as the native toolchain).</summary>
    public static string DefaultRoot => Compile.NativeToolchain.DefaultCacheRoot();

    /// <summary>The stored result of an unchanged submission, else grades it (and stores what may be reused).</summary>
    public SubmissionResult GetOrGrade(Submission submission, Func<Submission, SubmissionResult> grade, CancellationToken cancellationToken) =>
        GetOrGrade(submission, grade, cancellationToken, out _);

    /// <summary>As the overload above; <paramref name="stored"/> is the compact JSON stored for a fresh result
    /// (the spool's record form too), else null.</summary>
    public SubmissionResult GetOrGrade(Submission submission, Func<Submission, SubmissionResult> grade, CancellationToken cancellationToken, out byte[]? stored)
    {
        stored = null;
        var key = Key(submission);
        if (key is not null && TryGet(key, submission) is { } cached)
        {
            Interlocked.Increment(ref _hits);
            return cached;
        }

        var result = grade(submission);
        if (key is not null && !cancellationToken.IsCancellationRequested && Cacheable(result))
        {
            stored = JsonSerializer.SerializeToUtf8Bytes(result, Json);
            Put(key, stored);
        }

        return result;
    }

    /// <summary>The key of a submission in this run, or null when its files cannot be read (nothing to reuse then).</summary>
    public string? Key(Submission submission)
    {
        if (submission.Problem is not null || submission.Files.Count == 0)
        {
            return null;
        }

        try
        {
            var root = SourceLoader.CommonRoot(submission.Files);
            var files = submission.Files
                .Select(f => (Relative: Path.GetRelativePath(root, f).Replace('\\', '/'), Full: f))
                .OrderBy(f => f.Relative, StringComparer.Ordinal);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(_runKey);
            Append(hash, submission.Language.ToString());
            foreach (var (relative, full) in files)
            {
                var bytes = File.ReadAllBytes(full);
                Append(hash, relative);
                Append(hash, bytes.LongLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
                hash.AppendData(bytes);
            }

            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether a result may be reused: only a clean verdict, never the grader's trouble.</summary>
    public static bool Cacheable(SubmissionResult result) =>
        !result.GraderFault
        && result.Outcome != Outcomes.HarnessError
        && result.Checks.All(c => c.Fault != Faults.Grader)
        // Crashes, oopses and CPU-budget timeouts are the driver's own doing and are kept like any verdict;
        // only a wall-clock timeout may depend on the machine's load that day: such results are graded again.
        && result.Checks.All(c => c.Status != CheckStatuses.Error || !c.Feedback.Contains(Load.CheckBudget.WallClockMarker, StringComparison.Ordinal));

    /// <summary>The stored result under the key, as the given submission's; null when absent or unreadable.</summary>
    public SubmissionResult? TryGet(string key, Submission submission)
    {
        var path = PathOf(key);
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            var stored = JsonSerializer.Deserialize<SubmissionResult>(File.ReadAllBytes(path), Json);
            if (stored is null || stored.Checks is null || !Cacheable(stored))
            {
                return null;
            }

            return stored with { Id = submission.Id, Path = submission.RelativePath };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            // Corrupt, truncated by a full disk, or from an incompatible build: grade it again (and overwrite).
            return null;
        }
    }

    /// <summary>Stores a result's compact JSON atomically (GetOrGrade decided it is cacheable); failure to store
    /// (read-only or full disk) only costs the reuse.</summary>
    private void Put(string key, byte[] json)
    {
        var path = PathOf(key);
        var temp = $"{path}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            CreatePrivateDirectory(_dir);
            CreatePrivateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(temp, json);
            File.Move(temp, path, overwrite: true);
            Interlocked.Increment(ref _stores);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
        }
    }

    private string PathOf(string key) => Path.Combine(_dir, key[..2], key + ".json");

    private static void CreatePrivateDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A stray temporary file; harmless.
        }
    }

    // Length-prefixed, so ("ab","c") and ("a","bc") differ.
    private static void Append(IncrementalHash hash, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        hash.AppendData(BitConverter.GetBytes(bytes.Length));
        hash.AppendData(bytes);
    }

    // What makes two builds of the grader grade differently. Deterministic builds keep the MVIDs stable
    // while the code is unchanged, so a rebuild alone does not empty the cache.
    private static string ComputeFingerprint()
    {
        var parts = new List<string>
        {
            Grader.Version,
            typeof(Grader).Assembly.ManifestModule.ModuleVersionId.ToString(),
            typeof(KernelApi.Kernel).Assembly.ManifestModule.ModuleVersionId.ToString(),
        };
        var worker = Path.Combine(AppContext.BaseDirectory, "Autograder.Worker.dll");
        parts.Add(File.Exists(worker) ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(worker))) : "no-worker");
        // The native model's folder name is its sources' content hash.
        parts.Add(Compile.NativeToolchain.Shared.Toolchain?.Root is { } native ? Path.GetFileName(native) : "no-native");
        return string.Join("|", parts);
    }
}
