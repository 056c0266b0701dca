using System.Diagnostics;
using Autograder.Check;
using Autograder.Check.Builtin;
using Autograder.Load;
using Autograder.Model;
using Autograder.Submissions;

namespace Autograder.Pipeline;

/// <summary>What compiling a submission produced: its sources, diagnostics, and a way to run it.</summary>
internal sealed record BuildResult : IDisposable
{
    public required IReadOnlyList<SourceFile> Sources { get; init; }
    public IReadOnlyList<Model.Diagnostic> Diagnostics { get; init; } = [];
    /// <summary>Set when the submission does not compile (the student's fault): a one-line summary.</summary>
    public string? Failure { get; init; }
    /// <summary>Set when we could not build it for a reason of ours (missing tool, a gap in our kernel model).</summary>
    public string? GraderGap { get; init; }
    /// <summary>What our kernel model lacks that the driver needs (set with <see cref="GraderGap"/> when that is the reason).</summary>
    public string? ModelGap { get; init; }
    /// <summary>Creates the host that runs the built driver; null when the build did not succeed.</summary>
    public Func<HostLauncher, IDriverHost>? CreateHost { get; init; }
    /// <summary>Removes build products (temp folders).</summary>
    public Action? Cleanup { get; init; }

    public void Dispose() => Cleanup?.Invoke();

    /// <summary>The student's compile failure, with the compiler's diagnostics.</summary>
    public static BuildResult DoesNotCompile(IEnumerable<(string Path, string Text)> files, IReadOnlyList<Model.Diagnostic> diagnostics)
    {
        var errors = diagnostics.Count(d => d.Severity == "error");
        return new BuildResult
        {
            Sources = SourceLoader.ForReport(files),
            Diagnostics = diagnostics,
            Failure = $"The driver does not compile ({errors} error{(errors == 1 ? "" : "s")}).",
        };
    }
}

/// <summary>Compiles submissions of one language.</summary>
internal interface ISubmissionBuilder
{
    BuildResult Build(Submission submission);
}

/// <summary>
/// Grades one submission: build, then every selected check of the rubric in order, each on fresh driver
/// instances. Thread-safe: one instance serves all parallel jobs; per-submission state lives in Grade.
/// </summary>
internal sealed class SubmissionGrader(
    Rubric rubric,
    IReadOnlyDictionary<string, ICheck> checks,
    Func<Language, ISubmissionBuilder> builders,
    HostLauncher launcher,
    GradeOptions options,
    int randomSeed)
{
    public const string BuildId = "build";

    /// <summary>The checks this run shows and scores: enabled, selected by --only, visible to the audience.</summary>
    public IReadOnlyList<RubricCheck> Selected { get; } = [.. rubric.Checks.Where(c =>
        c.Enabled
        && (options.Only is null || options.Only.Contains(c.Id))
        && (options.Visibility != "student" || c.Visibility == "visible" || (c.Visibility == "after-due" && rubric.Due <= DateTimeOffset.UtcNow)))];

    public SubmissionResult Grade(Submission submission, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var language = submission.Language == Language.CSharp ? "csharp" : "c";
        var results = new List<CheckResult>();
        var buildEntry = rubric.Checks.FirstOrDefault(c => c.Id == BuildId) ?? new RubricCheck { Id = BuildId, Title = "The driver compiles" };

        if (submission.Problem is not null)
        {
            return Finish(submission, language, Outcomes.Invalid, submission.Problem, [], [], AllFailed(buildEntry, submission.Problem), "", clock);
        }

        using var build = builders(submission.Language).Build(submission);
        var buildResult = BuildCheck(buildEntry, build);
        results.Add(buildResult);
        if (build.CreateHost is null)
        {
            var outcome = build.GraderGap is not null ? Outcomes.HarnessError : Outcomes.CompileError;
            foreach (var entry in Selected.Where(c => c.Id != BuildId))
            {
                results.Add(CheckRunner.Skipped(entry, build.GraderGap is not null ? "the grader could not build the driver" : "the driver does not compile"));
            }

            return Finish(submission, language, outcome, build.GraderGap ?? build.Failure, build.Sources, build.Diagnostics, results, "", clock) with { ModelGap = build.ModelGap };
        }

        var view = new SubmissionView(submission.Id, language, build.Sources, build.Diagnostics);
        // Before the host starts, so its processes start on the same CPU as this thread.
        using var paired = CpuPairing.Pair();
        using var host = build.CreateHost(launcher);
        using var cancel = cancellationToken.Register(host.Abort);
        bool? working = null;
        var lessons = new CallLessons();
        foreach (var entry in Selected.Where(c => c.Id != BuildId))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var failedDependency = entry.DependsOn.FirstOrDefault(dep => results.FirstOrDefault(r => r.Id == dep) is { } r && r.Status != CheckStatuses.Passed);
            if (failedDependency is not null)
            {
                results.Add(CheckRunner.Skipped(entry, $"it depends on '{failedDependency}', which did not pass"));
                continue;
            }

            if (!checks.TryGetValue(entry.Id, out var check))
            {
                results.Add(CheckRunner.GraderFault(entry, $"no check implements '{entry.Id}'"));
                continue;
            }

            // Same draws for every submission of a run (fair), replayable from the recorded seed.
            var random = new Random(unchecked((randomSeed * 31) + StableHash(entry.Id)));
            var result = CheckRunner.Run(check, entry, host, view, random, lessons, options.AllTraces);
            // Only what would earn points is held back: a check that earns nothing keeps its own verdict.
            if (entry.RequiresWork && result.Fault != Faults.Grader && result.Points > 0)
            {
                if (working is null)
                {
                    var (works, probeMs) = DoesWork(entry, host, view, lessons);
                    working = works;
                    // The probe ran for this check: its time is this check's (a hang it met is paid here, once).
                    result = result with { DurationMs = result.DurationMs + probeMs };
                }

                result = working.Value ? result : HeldBack(result);
            }

            results.Add(result);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var harness = results.Count > 1 && results.Skip(1).All(r => r.Fault == Faults.Grader);
        // Retire the host before reading its output: a live worker's output is only complete (and only
        // readable without waiting for its pipes to close) once it is gone. Dispose is idempotent.
        host.Dispose();
        paired.Dispose();
        return Finish(submission, language, harness ? Outcomes.HarnessError : Outcomes.Graded,
            harness ? results[1].Feedback : null, build.Sources, build.Diagnostics, results, host.Output, clock);
    }

    private SubmissionResult Finish(Submission submission, string language, string outcome, string? message,
        IReadOnlyList<SourceFile> sources, IReadOnlyList<Model.Diagnostic> diagnostics, List<CheckResult> all, string output, Stopwatch clock)
    {
        var shown = all.Where(r => Selected.Any(s => s.Id == r.Id)).ToList();
        var counted = shown.Where(r => r.Fault != Faults.Grader).ToList();
        return Bounds.Apply(new SubmissionResult
        {
            Id = submission.Id,
            Language = language,
            Path = submission.RelativePath,
            Outcome = outcome,
            Message = message,
            Score = counted.Sum(r => r.Points),
            MaxScore = counted.Sum(r => r.MaxPoints),
            Checks = shown,
            Sources = sources,
            Diagnostics = diagnostics,
            Output = output.Length == 0 ? null : output,
            DurationMs = clock.ElapsedMilliseconds,
            RandomSeed = randomSeed,
            GraderFault = shown.Any(r => r.Fault == Faults.Grader),
        });
    }

    private List<CheckResult> AllFailed(RubricCheck buildEntry, string problem)
    {
        var results = new List<CheckResult>
        {
            new()
            {
                Id = BuildId,
                Title = buildEntry.Title,
                Status = CheckStatuses.Failed,
                Fault = Faults.Submission,
                MaxPoints = buildEntry.Points,
                Visibility = buildEntry.Visibility,
                Feedback = problem,
            },
        };
        results.AddRange(Selected.Where(c => c.Id != BuildId).Select(c => CheckRunner.Skipped(c, "the submission could not be built")));
        return results;
    }

    private static CheckResult BuildCheck(RubricCheck entry, BuildResult build)
    {
        if (build.GraderGap is not null)
        {
            return CheckRunner.GraderFault(entry, build.GraderGap);
        }

        var errors = build.Diagnostics.Where(d => d.Severity == "error").ToList();
        var warnings = build.Diagnostics.Where(d => d.Severity == "warning").ToList();
        var ok = build.CreateHost is not null;
        var lines = new List<string>();
        if (!ok)
        {
            lines.Add(build.Failure ?? "The driver does not compile.");
            lines.AddRange(errors.Take(20).Select(Format));
        }
        else
        {
            lines.Add("Compiled.");
        }

        if (warnings.Count > 0)
        {
            lines.Add($"{warnings.Count} warning(s), which cost nothing but are worth fixing:");
            lines.AddRange(warnings.Take(20).Select(Format));
        }

        return new CheckResult
        {
            Id = entry.Id,
            Title = entry.Title,
            Status = ok ? CheckStatuses.Passed : CheckStatuses.Failed,
            Fault = ok ? null : Faults.Submission,
            Points = ok ? entry.Points : 0,
            MaxPoints = entry.Points,
            Visibility = entry.Visibility,
            Feedback = string.Join("\n", lines),
        };

        static string Format(Model.Diagnostic d) => $"{d.File}:{d.Line}:{d.Column}: {d.Severity}: {d.Message}";
    }

    // The rubric's work gate, run once per submission: does some ioctl touch the device or the user's memory?
    // A fault of ours or a driver that crashes the probe opens it: the gated checks then judge on their own.
    private static (bool Works, long DurationMs) DoesWork(RubricCheck gated, IDriverHost host, SubmissionView view, CallLessons lessons)
    {
        var entry = gated with { Id = WorkGate.GateId, Title = "the driver does some of the exercise's work", RequiresWork = false };
        var probe = CheckRunner.Run(new WorkGate(), entry, host, view, new Random(0), lessons, allTraces: false);
        return (probe.Status is not (CheckStatuses.Failed or CheckStatuses.Skipped), probe.DurationMs);
    }

    private static CheckResult HeldBack(CheckResult result) => result with
    {
        Status = CheckStatuses.Failed,
        Fault = Faults.Submission,
        Points = 0,
        Feedback = $"{WorkGate.HeldBack}\nWhat the check found on its own: {result.Feedback}",
    };

    /// <summary>FNV-1a: stable across processes (string.GetHashCode is randomised per process).</summary>
    internal static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var ch in text)
        {
            hash = (hash ^ ch) * 16777619u;
        }

        return (int)hash;
    }
}
