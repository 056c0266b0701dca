namespace Autograder.Model;

/// <summary>
/// A finished run as the exporters and the CLI read it: the run's own fields and one
/// <see cref="SubmissionSummary"/> per submission in memory, each full result loaded only when it is read.
/// A class-wide export reads <see cref="ReadAll"/> once and holds one full result at a time, so its memory
/// does not grow with the class. Two sources: a run held in memory (<see cref="RunResults.InMemory"/>: report,
/// merge, tests) and a graded class spooled to disk (<c>Pipeline.SpooledRun</c>: grade, the benchmark).
/// </summary>
public interface IRunResults
{
    /// <summary>The run's own fields (rubric, seed, completeness, warnings, ...). Its
    /// <see cref="GradingRun.Submissions"/> may be empty: read submissions through <see cref="Summaries"/>
    /// and <see cref="ReadAll"/>.</summary>
    GradingRun Run { get; }

    /// <summary>One per submission, ordinal by id (whatever order grading finished them in).</summary>
    IReadOnlyList<SubmissionSummary> Summaries { get; }

    /// <summary>The full results in the order of <see cref="Summaries"/>, each loaded as the enumeration
    /// reaches it. Callers should not keep them: that is what keeps memory flat.</summary>
    IEnumerable<SubmissionResult> ReadAll();
}

public static class RunResults
{
    /// <summary>A run already in memory (read from results.json, merged, or built by a test).</summary>
    public static IRunResults InMemory(GradingRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new InMemoryResults(run);
    }

    private sealed class InMemoryResults : IRunResults
    {
        // OrderBy is stable: submissions that share an id (only in hand-built runs) keep their order in both lists.
        private readonly IReadOnlyList<SubmissionResult> _ordered;

        public InMemoryResults(GradingRun run)
        {
            Run = run;
            _ordered = [.. run.Submissions.OrderBy(s => s.Id, StringComparer.Ordinal)];
            Summaries = [.. _ordered.Select(SubmissionSummary.Of)];
        }

        public GradingRun Run { get; }

        public IReadOnlyList<SubmissionSummary> Summaries { get; }

        public IEnumerable<SubmissionResult> ReadAll() => _ordered;
    }
}
