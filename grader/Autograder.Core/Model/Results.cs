using System.Text.Json.Serialization;

namespace Autograder.Model;

// The one result model. Built once per run by the grading pipeline, immutable, serialized as
// <out>/results.json (schema 1, documented in README.md). Every exporter reads it; none recomputes
// a grade. Field names are a contract with course scripts: add fields freely, never rename.

/// <summary>A whole grading run.</summary>
public sealed record GradingRun
{
    public int Schema { get; init; } = 1;
    public required string GraderVersion { get; init; }
    public required string Rubric { get; init; }
    /// <summary>The rubric's title (the assignment's name shown to students); null in results written before it.</summary>
    public string? RubricTitle { get; init; }
    public required string RubricSha256 { get; init; }
    public bool Complete { get; init; } = true;
    /// <summary>"i/n" when this run is one shard of a larger one, else null.</summary>
    public string? Shard { get; init; }
    public decimal MaxScore { get; init; }
    /// <summary>Seed for the randomly drawn cases (determinism), so any run can be replayed.</summary>
    public int? RandomSeed { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>"instructor" or "student": which checks the scores were computed over.</summary>
    public string Visibility { get; init; } = "instructor";
    public DateTimeOffset? DueDate { get; init; }
    public IReadOnlyList<SubmissionResult> Submissions { get; init; } = [];
    /// <summary>Run-level notes for the operator (missing optional tools, sandbox fallbacks).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
    /// <summary>Submissions of this invocation whose stored result was reused: a fact about the invocation, not
    /// about the grades, so results.json does not carry it.</summary>
    [JsonIgnore]
    public int ReusedFromCache { get; init; }
}

/// <summary>One student's submission.</summary>
public sealed record SubmissionResult
{
    public required string Id { get; init; }
    /// <summary>"csharp" or "c".</summary>
    public required string Language { get; init; }
    public decimal Score { get; init; }
    public decimal MaxScore { get; init; }
    /// <summary>"graded" | "compile-error" | "harness-error" | "invalid" (see <see cref="Outcomes"/>).</summary>
    public required string Outcome { get; init; }
    /// <summary>Why the submission is not simply graded (compile error summary, harness error), else null.</summary>
    public string? Message { get; init; }
    /// <summary>Path of the submission relative to the graded root.</summary>
    public string? Path { get; init; }
    public StudentInfo? Student { get; init; }
    public IReadOnlyList<CheckResult> Checks { get; init; } = [];
    public IReadOnlyList<SourceFile> Sources { get; init; } = [];
    /// <summary>Compiler diagnostics (errors and warnings) with file, line and column.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; init; } = [];
    /// <summary>Captured stdout/stderr of the submission's processes (capped).</summary>
    public string? Output { get; init; }
    public long DurationMs { get; init; }
    /// <summary>The seed its randomly drawn cases came from (a cached result keeps the seed it was graded with).</summary>
    public int? RandomSeed { get; init; }
    /// <summary>True when any check has a grader fault: the submission needs the operator's attention.</summary>
    public bool GraderFault { get; init; }
    /// <summary>What the grader's kernel model lacks that this (C) driver needs, e.g. "struct pci_dev.resource",
    /// "ktime_get_real_seconds()", "&lt;linux/kthread.h&gt;": its build is then a grader fault. Else null.</summary>
    public string? ModelGap { get; init; }
    /// <summary>A total override applied by an instructor, if any.</summary>
    public Override? TotalOverride { get; init; }
    /// <summary>Lateness, where known: null when the hand-in was on time or nothing says when it came.</summary>
    public LateWork? Late { get; init; }
}

/// <summary>A late hand-in and what the rubric's late policy took for it. <see cref="SubmissionResult.Score"/>
/// is already net of <see cref="Penalty"/>; exporters show this as its own line and never recompute it.</summary>
public sealed record LateWork
{
    /// <summary>When it was handed in, where known.</summary>
    public DateTimeOffset? SubmittedAt { get; init; }
    /// <summary>Days (or parts of one) after the due date; null when the time is unknown.</summary>
    public int? DaysLate { get; init; }
    /// <summary>Points taken by the late policy (0 without one).</summary>
    public decimal Penalty { get; init; }
    /// <summary>One line for every export, e.g. "handed in 2 days late: -20 points (10% a day)".</summary>
    public required string Note { get; init; }
}

/// <summary>
/// What class-wide views need of one submission: the CLI's table and exit code, the class overview, the
/// gradebook, JUnit's totals. A few hundred bytes where the full result holds sources and traces, so a run
/// keeps one per submission in memory while the full results stream through the exporters one at a time.
/// Not part of results.json.
/// </summary>
public sealed record SubmissionSummary
{
    public required string Id { get; init; }
    public required string Language { get; init; }
    public decimal Score { get; init; }
    public decimal MaxScore { get; init; }
    public required string Outcome { get; init; }
    public bool GraderFault { get; init; }
    public string? ModelGap { get; init; }
    public long DurationMs { get; init; }
    public StudentInfo? Student { get; init; }
    public Override? TotalOverride { get; init; }
    public LateWork? Late { get; init; }
    public IReadOnlyList<CheckSummary> Checks { get; init; } = [];

    public static SubmissionSummary Of(SubmissionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new SubmissionSummary
        {
            Id = result.Id,
            Language = result.Language,
            Score = result.Score,
            MaxScore = result.MaxScore,
            Outcome = result.Outcome,
            GraderFault = result.GraderFault,
            ModelGap = result.ModelGap,
            DurationMs = result.DurationMs,
            Student = result.Student,
            TotalOverride = result.TotalOverride,
            Late = result.Late,
            Checks = [.. result.Checks.Select(CheckSummary.Of)],
        };
    }
}

/// <summary>One check of a <see cref="SubmissionSummary"/>: its verdict without feedback, cases or trace.</summary>
public sealed record CheckSummary(string Id, string Title, string Status, string? Fault, decimal Points, decimal MaxPoints, Override? Override)
{
    public static CheckSummary Of(CheckResult check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return new CheckSummary(check.Id, check.Title, check.Status, check.Fault, check.Points, check.MaxPoints, check.Override);
    }
}

public static class Outcomes
{
    public const string Graded = "graded";
    public const string CompileError = "compile-error";
    public const string HarnessError = "harness-error";
    public const string Invalid = "invalid";
}

/// <summary>One check of one submission.</summary>
public sealed record CheckResult
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    /// <summary>"passed" | "failed" | "error" | "skipped" (see <see cref="CheckStatuses"/>).</summary>
    public required string Status { get; init; }
    /// <summary>null for passed and skipped; "submission" or "grader" otherwise (see <see cref="Faults"/>).</summary>
    public string? Fault { get; init; }
    public decimal Points { get; init; }
    public decimal MaxPoints { get; init; }
    /// <summary>"visible" | "hidden" | "after-due".</summary>
    public string Visibility { get; init; } = "visible";
    public string Feedback { get; init; } = "";
    public long DurationMs { get; init; }
    public int CasesPassed { get; init; }
    public int CasesTotal { get; init; }
    public IReadOnlyList<CaseResult> Cases { get; init; } = [];
    public IReadOnlyList<TraceEvent> Trace { get; init; } = [];
    /// <summary>Index in <see cref="Trace"/> of the event nearest to where the check first went wrong (an oops,
    /// or the last event before its first failing case), so pages can open a long trace there; null when none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? TraceFocus { get; init; }
    public Override? Override { get; init; }
}

public static class CheckStatuses
{
    public const string Passed = "passed";
    public const string Failed = "failed";
    public const string Error = "error";
    public const string Skipped = "skipped";
}

public static class Faults
{
    public const string Submission = "submission";
    public const string Grader = "grader";
}

/// <summary>One case inside a check (partial credit is points x passed / total).</summary>
public sealed record CaseResult(string Name, bool Passed, string? Detail = null);

/// <summary>
/// One observed event, in order: ioctl call -> MMIO accesses -> user copies -> return value, dmesg lines.
/// Kind is one of: "call" (Op: init|ioctl|exit, Cmd/Arg), "return" (Op, Ret), "mmio" (Dir read|write,
/// Offset from the device BAR or Address, Size, Value, Api), "user" (Dir to_user|from_user, Address, Size,
/// NotCopied, Api), "ioremap"/"iounmap" (Address physical, Size, Va), "chrdev" (Op register|unregister|
/// cdev_add|cdev_del, Major, Text name, Ret), "dmesg" (Level, Text), "oops" (Text), "note" (Text).
/// </summary>
public sealed record TraceEvent
{
    public required string Kind { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Op { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Dir { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public uint? Cmd { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ulong? Arg { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ulong? Address { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ulong? Offset { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Size { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ulong? Value { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ulong? Va { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Ret { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ulong? NotCopied { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public uint? Major { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Api { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Level { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Text { get; init; }
}

/// <summary>A source file of the submission, kept so reports re-render from results.json alone.</summary>
public sealed record SourceFile(string Path, string Text, bool Truncated = false);

public sealed record StudentInfo(string? Name, string? Email, string? LmsId);

/// <summary>An instructor's override of a check's points or the total.</summary>
public sealed record Override(decimal Points, string? Comment, decimal OriginalPoints);

/// <summary>JSON settings shared by every reader and writer of results.json.</summary>
public static class ResultsJson
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        // Generated metadata: no reflection at start (~150 ms of the first result) and faster records;
        // reflection still serves any type the context lacks.
        TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine(
            ResultsJsonContext.Default, new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver()),
    };

    /// <summary>One result per record, unindented: the result cache's files and the spool's records (the same bytes).</summary>
    public static readonly System.Text.Json.JsonSerializerOptions Compact = new(Options) { WriteIndented = false };
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    WriteIndented = true)]
[JsonSerializable(typeof(GradingRun))]
[JsonSerializable(typeof(SubmissionResult))]
internal sealed partial class ResultsJsonContext : JsonSerializerContext;
