using Autograder.Cli.Output;
using Autograder.Model;
using Autograder.Pipeline;
using Spectre.Console;

namespace Autograder.Cli.Commands;

/// <summary><c>grade &lt;path&gt;</c>: the instructor's batch run and the CI run.</summary>
internal sealed class GradeCommand(CliConsoles consoles) : AutograderCommand<GradeSettings>(consoles)
{
    protected override string? LogDirectory(GradeSettings settings) => settings.OutDirectory;

    protected override async Task<int> RunAsync(GradeSettings settings, CancellationToken cancellationToken)
    {
        using var intake = Intake.All(settings.Path);
        var submissions = intake.Submissions;
        if (submissions.Count == 0)
        {
            throw new OperatorException($"no submissions found in {settings.Path} (looked for .cs, .c, .patch and .diff files)");
        }
        var shard = settings.ParsedShard;
        if (shard is { } s)
        {
            submissions = s.Select(submissions);
            Consoles.Out.MarkupLine($"shard {s}: {submissions.Count} of {intake.Submissions.Count} submissions");
        }

        var options = new GradeOptions
        {
            RubricPath = settings.Rubric is null ? null : Path.GetFullPath(settings.Rubric),
            Jobs = settings.Jobs ?? GradeOptions.DefaultJobs,
            Only = settings.OnlyChecks,
            Visibility = settings.Visibility,
            Shard = shard?.ToString(),
            RandomSeed = settings.Seed,
            UseCache = !settings.NoCache,
            AllTraces = settings.Traces == "all",
        };
        // Results are spooled next to the reports as they come and exported one at a time (issue 8).
        using var run = await ProgressDisplay.RunAsync(Consoles, submissions.Count,
            observer => Grader.RunSpooledAsync(submissions, options, observer, settings.OutDirectory, cancellationToken));

        if (settings.Similarity)
        {
            // Before the reports, so the overview links to it; over the whole class, whatever the shard.
            SimilarityRun.Write(intake.Submissions, settings.Base, settings.Known, settings.Threshold, settings.OutDirectory, linkOverview: true, Consoles.Out);
        }

        WriteReports(run, settings, run.Run.Warnings);

        return Verdict(run, settings.FailUnder, interrupted: cancellationToken.IsCancellationRequested || !run.Run.Complete, Consoles.Out);
    }

    /// <summary>The exit code of a finished (or interrupted) run; most urgent first.</summary>
    internal static int Verdict(IRunResults run, decimal? failUnder, bool interrupted, IAnsiConsole console)
    {
        if (interrupted)
        {
            console.MarkupLine("[yellow]interrupted: the partial results were written and marked incomplete[/]");
            return ExitCodes.Interrupted;
        }
        var faulty = run.Summaries.Where(IsGraderFault).Select(r => r.Id).ToList();
        if (faulty.Count > 0)
        {
            console.MarkupLine($"[red]grader fault[/] in {Markup.Escape(string.Join(", ", faulty))}: these need the operator's attention, not the student's");
            return ExitCodes.GraderFault;
        }
        if (failUnder is { } threshold)
        {
            var below = run.Summaries.Where(r => BelowThreshold(r, threshold)).Select(r => r.Id).ToList();
            if (below.Count > 0)
            {
                console.MarkupLine($"[red]below {Format.Number(threshold)}%:[/] {Markup.Escape(string.Join(", ", below))}");
                return ExitCodes.BelowThreshold;
            }
        }
        return ExitCodes.Ok;
    }

    internal static bool IsGraderFault(SubmissionSummary result) =>
        result.GraderFault || result.Outcome == Outcomes.HarnessError
        || result.Checks.Any(c => c.Fault == Faults.Grader);

    /// <summary>Every submission counts, compile errors and invalid hand-ins included (they score 0), except
    /// harness errors: those are the grader's fault and already exit 4.</summary>
    internal static bool BelowThreshold(SubmissionSummary result, decimal percent)
    {
        if (IsGraderFault(result))
        {
            return false;
        }
        if (result.MaxScore <= 0)
        {
            return percent > 0 && result.Outcome != Outcomes.Graded;
        }
        return result.Score * 100 < percent * result.MaxScore;
    }
}
