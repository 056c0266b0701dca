using Autograder.Model;

namespace Autograder.Tests.Integration;

/// <summary>A submission's verdicts as one letter per check of the default rubric, in its order: P passed,
/// F failed (the submission's fault), E error (it crashed or oopsed), S skipped.</summary>
internal static class VerdictLetters
{
    public static readonly string[] Checks =
        ["build", "load", "dmesg", "ioctl-encoding", "rand", "seed", "determinism", "efault", "enotty", "user-memory", "unload", "error-paths"];

    public static string Of(SubmissionResult r) => string.Concat(Checks.Select(id => Letter(r.Checks.Single(c => c.Id == id))));

    public static char Letter(CheckResult r) => r.Status switch
    {
        CheckStatuses.Passed => 'P',
        CheckStatuses.Failed => 'F',
        CheckStatuses.Error => 'E',
        _ => 'S',
    };

    /// <summary>Every check that did not pass, with its status and feedback (for assertion messages).</summary>
    public static string Explain(SubmissionResult r) =>
        string.Join("\n", r.Checks.Where(c => c.Status != CheckStatuses.Passed).Select(c => $"{c.Id}: {c.Status}: {c.Feedback}"));
}
