using System.Globalization;
using Autograder.Check;
using Autograder.Model;
using Autograder.Submissions;

namespace Autograder.Pipeline;

/// <summary>
/// Marks a graded result late and applies the rubric's late policy. Applied per run after the result cache
/// (the cache keys on sources, not on when they were handed in), once, by the pipeline: exporters show
/// <see cref="SubmissionResult.Late"/> and never recompute the score.
/// </summary>
internal static class LatePenalty
{
    /// <summary>The result with its lateness and penalty, or the same instance when it was not late.</summary>
    public static SubmissionResult Apply(SubmissionResult result, Submission submission, Rubric rubric)
    {
        var due = rubric.Due;
        var lateByTime = due is { } d && submission.SubmittedAt is { } at && at > d;
        if (!submission.Late && !lateByTime)
        {
            return result;
        }

        int? days = lateByTime ? (int)Math.Ceiling((submission.SubmittedAt!.Value - due!.Value).TotalDays) : null;
        var policy = rubric.LatePolicy;
        string note;
        decimal penalty = 0;
        if (policy is null)
        {
            note = days is { } n ? $"handed in {Days(n)} late (the rubric sets no late policy)" : "handed in late (the rubric sets no late policy)";
        }
        else if (policy.Cutoff is { } cutoff && submission.SubmittedAt > cutoff)
        {
            penalty = result.Score;
            note = $"handed in after the cutoff {cutoff.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC: scores 0";
        }
        else
        {
            // A LATE marker without a time (a folder, or a zip without entry times) counts as one day.
            var counted = days ?? 1;
            var percent = Math.Min(100m, policy.PenaltyPercentPerDay * counted);
            penalty = Math.Min(result.Score, Math.Round(result.MaxScore * percent / 100m, 2, MidpointRounding.AwayFromZero));
            var when = days is { } n ? $"handed in {Days(n)} late" : "handed in late (time unknown: counted as 1 day)";
            note = $"{when}: -{penalty.ToString("0.##", CultureInfo.InvariantCulture)} points ({policy.PenaltyPercentPerDay.ToString("0.##", CultureInfo.InvariantCulture)}% a day)";
        }

        return result with
        {
            Score = result.Score - penalty,
            Late = new LateWork { SubmittedAt = submission.SubmittedAt, DaysLate = days, Penalty = penalty, Note = note },
        };
    }

    private static string Days(int n) => n == 1 ? "1 day" : $"{n} days";
}
