using Autograder.Model;
using Autograder.Report;

namespace Autograder.Cli.Review;

/// <summary>Reviews are overrides: every review with points becomes the <see cref="OverrideRow"/> an instructor
/// would have typed into an overrides CSV, and <see cref="Overrides"/> applies them. There is no second grade
/// computation; the server's pages, <c>report --review</c> and the downloaded overrides.csv all go through here.</summary>
internal static class ReviewOverrides
{
    /// <summary>The reviews that set points, as override rows (checks first, then totals, as the CSV applies
    /// them). Reviews of a submission or check the run no longer has (a regrade dropped it) are left out, with
    /// a note for each.</summary>
    public static IReadOnlyList<OverrideRow> Rows(GradingRun run, IEnumerable<ReviewRow> reviews, ICollection<string> notes)
    {
        var byId = run.Submissions.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var rows = new List<OverrideRow>();
        foreach (var r in reviews.Where(r => r.Points is not null).OrderBy(r => r.Target == ReviewStore.Total).ThenBy(r => r.Submission, StringComparer.Ordinal).ThenBy(r => r.Target, StringComparer.Ordinal))
        {
            if (!byId.TryGetValue(r.Submission, out var s))
            {
                notes.Add($"review of {r.Submission} {r.Target} left out: the results have no submission {r.Submission}");
                continue;
            }

            var check = s.Checks.FirstOrDefault(c => c.Id == r.Target);
            if (r.Target != ReviewStore.Total && check is null)
            {
                notes.Add($"review of {r.Submission} {r.Target} left out: the submission has no check {r.Target}");
                continue;
            }

            if (check is not null && r.Points > check.MaxPoints)
            {
                // A regrade with another rubric lowered the maximum: the review must be looked at again.
                notes.Add($"review of {r.Submission} {r.Target} left out: its {ReportText.Points(r.Points.Value)} points exceed the check's maximum {ReportText.Points(check.MaxPoints)} now");
                continue;
            }

            rows.Add(new OverrideRow { Id = r.Submission, Check = r.Target, Points = r.Points!.Value, Comment = r.Comment.Length == 0 ? null : r.Comment });
        }

        return rows;
    }

    /// <summary>The run with the reviews applied exactly as an overrides CSV would be.</summary>
    /// <exception cref="InvalidDataException">A review no longer fits the results (points above a new maximum).</exception>
    public static GradingRun Apply(GradingRun run, string source, IEnumerable<ReviewRow> reviews, ICollection<string> notes) =>
        Overrides.FromRows(source, Rows(run, reviews, notes)).Apply(run);

    /// <summary>The reviews as an overrides CSV (what <c>report --overrides</c> reads).</summary>
    public static string Csv(GradingRun run, IEnumerable<ReviewRow> reviews) => Overrides.ToCsv(Rows(run, reviews, []));

    /// <summary>What the grader decided for a review's target: a check's points and status, or the score and
    /// outcome for the total.</summary>
    public static (decimal Points, string Status)? Automatic(SubmissionResult s, string target) =>
        target == ReviewStore.Total
            ? (s.Score, s.Outcome)
            : s.Checks.FirstOrDefault(c => c.Id == target) is { } c ? (c.Points, c.Status) : null;

    /// <summary>A note when a regrade changed the automatic verdict under a review; "" otherwise.</summary>
    public static string VerdictChanged(SubmissionResult s, ReviewRow review)
    {
        if (Automatic(s, review.Target) is not { } now || (now.Points == review.AutoPoints && now.Status == review.AutoStatus))
        {
            return "";
        }

        return $"the automatic verdict changed since this review: was {ReportText.Points(review.AutoPoints)} ({review.AutoStatus}), now {ReportText.Points(now.Points)} ({now.Status})";
    }
}
