using Autograder.Model;

namespace Autograder.Tests.Cli;

/// <summary>Small hand-built results for the CLI's verdict, merge and rendering logic.</summary>
internal static class Results
{
    public static CheckResult CheckOf(string id, string status, decimal points, decimal max, string visibility = "visible", string? fault = null) => new()
    {
        Id = id,
        Title = "the " + id + " check",
        Status = status,
        Points = points,
        MaxPoints = max,
        Visibility = visibility,
        Fault = fault ?? (status is CheckStatuses.Failed or CheckStatuses.Error ? Faults.Submission : null),
    };

    public static SubmissionResult Submission(string id, decimal score, decimal max = 100, string outcome = Outcomes.Graded, params CheckResult[] checks) => new()
    {
        Id = id,
        Language = "c",
        Score = score,
        MaxScore = max,
        Outcome = outcome,
        Checks = checks,
        GraderFault = checks.Any(c => c.Fault == Faults.Grader),
    };

    public static GradingRun Run(params SubmissionResult[] submissions) => new()
    {
        GraderVersion = "0.1.0",
        Rubric = "virt-101",
        RubricSha256 = "aaaabbbbccccdddd",
        MaxScore = 100,
        Submissions = submissions,
    };
}
