using System.Buffers;
using System.Text.Json;
using Autograder.Model;

namespace Autograder.Pipeline;

/// <summary>
/// Finished results, appended to a file as grading produces them, so a run keeps only a
/// <see cref="SubmissionSummary"/> per submission in memory (issue 8: memory must not grow with the class).
/// Each record is one result in compact results.json form; an index in memory says where it is. Appends are
/// thread-safe (grading threads call them); records are read back one at a time once grading is over.
/// The file holds students' sources: it is owner-only, and deleted when the spool is disposed, whether the
/// run finished, was cancelled or failed (only a killed process leaves it behind).
/// </summary>
public sealed class ResultSpool : IDisposable
{
    /// <summary>The spool's file name starts with this (a dot: hidden among the reports while it exists).</summary>
    public const string FilePrefix = ".autograder-spool-";

    private static readonly JsonSerializerOptions Json = ResultsJson.Compact;

    private readonly Lock _lock = new();
    private readonly FileStream _file;
    private readonly List<Entry> _entries = [];

    /// <summary>Creates the spool file in <paramref name="directory"/>: best on the disk the reports go to,
    /// since a RAM-backed temp folder would only move the memory, not save it.</summary>
    public ResultSpool(string directory)
    {
        Directory.CreateDirectory(directory);
        FilePath = Path.Combine(directory, $"{FilePrefix}{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.DeleteOnClose,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        _file = new FileStream(FilePath, options);
    }

    public string FilePath { get; }

    /// <summary>Where one result's record is, and its summary.</summary>
    internal sealed record Entry(SubmissionSummary Summary, long Offset, int Length);

    /// <summary>Appends one finished result. Thread-safe; the result is not kept. <paramref name="json"/> is its
    /// compact form when the caller has it already (the result cache's bytes are the same).</summary>
    public void Append(SubmissionResult result, byte[]? json = null)
    {
        var summary = SubmissionSummary.Of(result);
        // Serialized outside the lock, so grading threads do not queue behind each other's records.
        json ??= JsonSerializer.SerializeToUtf8Bytes(result, Json);
        lock (_lock)
        {
            var offset = _file.Seek(0, SeekOrigin.End);
            _file.Write(json);
            _entries.Add(new Entry(summary, offset, json.Length));
        }
    }

    /// <summary>Every entry so far, in the order grading finished them.</summary>
    internal IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>Reads one result back: a fresh copy each time.</summary>
    internal SubmissionResult Load(Entry entry)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(entry.Length);
        try
        {
            lock (_lock)
            {
                _file.Position = entry.Offset;
                _file.ReadExactly(buffer, 0, entry.Length);
            }

            return JsonSerializer.Deserialize<SubmissionResult>(buffer.AsSpan(0, entry.Length), Json)
                ?? throw new InvalidDataException($"{FilePath}: a null record at offset {entry.Offset}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose() => _file.Dispose();
}

/// <summary>A graded class: the run's fields and summaries in memory, the full results in a
/// <see cref="ResultSpool"/>. Dispose it to delete the spool file.</summary>
public sealed class SpooledRun : IRunResults, IDisposable
{
    private readonly ResultSpool _spool;
    private readonly IReadOnlyList<ResultSpool.Entry> _entries;

    internal SpooledRun(GradingRun run, ResultSpool spool)
    {
        Run = run;
        _spool = spool;
        _entries = [.. spool.Entries.OrderBy(e => e.Summary.Id, StringComparer.Ordinal)];
        Summaries = [.. _entries.Select(e => e.Summary)];
    }

    /// <summary>The run's fields; its Submissions list is empty (the results are in the spool).</summary>
    public GradingRun Run { get; }

    public IReadOnlyList<SubmissionSummary> Summaries { get; }

    public IEnumerable<SubmissionResult> ReadAll() => _entries.Select(_spool.Load);

    public void Dispose() => _spool.Dispose();
}
