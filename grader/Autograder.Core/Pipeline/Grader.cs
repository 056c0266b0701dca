using Autograder.Model;
using Autograder.Submissions;

namespace Autograder.Pipeline;

// CONTRACT STUB (owner: lead). The CLI calls this; it compiles, loads, exercises and checks each
// submission and returns the immutable run model.

/// <summary>How to grade a batch.</summary>
public sealed record GradeOptions
{
    /// <summary>Rubric file path; null = the embedded default rubrics/virt-101.yaml.</summary>
    public string? RubricPath { get; init; }
    public int Jobs { get; init; } = Environment.ProcessorCount;
    /// <summary>Only these check ids (null = all).</summary>
    public IReadOnlySet<string>? Only { get; init; }
    /// <summary>"instructor" or "student".</summary>
    public string Visibility { get; init; } = "instructor";
    /// <summary>Recorded as the run's shard ("i/n"); selection is the caller's.</summary>
    public string? Shard { get; init; }
    /// <summary>Seed of the randomly drawn determinism cases; null = draw one (recorded in results).</summary>
    public int? RandomSeed { get; init; }
    public bool UseCache { get; init; } = true;
}

/// <summary>Receives progress while a batch runs. Called from worker threads: implementations must be thread-safe.</summary>
public interface IGradeObserver
{
    void OnStart(int total);
    void OnResult(SubmissionResult result);
    void OnWarning(string message);
}

/// <summary>An operator mistake (bad rubric, missing path, bad option): exit code 2 with this message.</summary>
public sealed class OperatorException(string message) : Exception(message);

public static class Grader
{
    /// <summary>
    /// Grades the submissions. Cancellation stops starting new work, kills running workers and returns
    /// the partial run with Complete = false. Throws <see cref="OperatorException"/> for a bad rubric.
    /// </summary>
    public static Task<GradingRun> RunAsync(IReadOnlyList<Submission> submissions, GradeOptions options, IGradeObserver observer, CancellationToken cancellationToken)
        => throw new NotImplementedException();
}
