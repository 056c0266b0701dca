using Autograder.Model;
using Autograder.Report;

namespace Autograder.Cli.Review;

/// <summary>The review server's pages: the static reports' own views and templates (HtmlViews, Templates) for
/// the run with every review applied, with the edit controls hung on the views (ReviewViews.cs). Each request
/// reads the database, so what a page shows is what is saved.</summary>
internal sealed class ReviewPages
{
    private readonly GradingRun _run;
    private readonly ReviewStore _store;
    private readonly string _css = Templates.Render("style", new { });
    private readonly Dictionary<string, SubmissionResult> _byId;
    private readonly Dictionary<string, SubmissionResult> _byFile;

    public ReviewPages(GradingRun run, ReviewStore store)
    {
        _run = run;
        _store = store;
        _byId = run.Submissions.ToDictionary(s => s.Id, StringComparer.Ordinal);
        _byFile = run.Submissions.ToDictionary(s => ReportText.FileName(s.Id) + ".html", StringComparer.Ordinal);
    }

    public GradingRun Run => _run;

    /// <summary>The submission as graded (no reviews), by id.</summary>
    public SubmissionResult? Graded(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The submission as graded, by the file name of its page.</summary>
    public SubmissionResult? GradedByFile(string file) => _byFile.GetValueOrDefault(file);

    public static string PageOf(string id) => "/submissions/" + Uri.EscapeDataString(ReportText.FileName(id) + ".html");

    public string OverridesCsv() => ReviewOverrides.Csv(_run, _store.All());

    public string Overview(string reviewer)
    {
        var (context, _, reviews) = Current();
        var view = HtmlViews.Overview(context, _css);
        var reviewed = reviews.Where(r => r.Target == ReviewStore.Total && r.Reviewed).Select(r => r.Submission).ToHashSet(StringComparer.Ordinal);
        var changed = reviews.Where(r => _byId.TryGetValue(r.Submission, out var s) && ReviewOverrides.VerdictChanged(s, r).Length > 0).ToList();
        var changedIds = changed.Select(r => r.Submission).ToHashSet(StringComparer.Ordinal);
        view = view with
        {
            Rows = [.. view.Rows.Select(r => r with { Reviewed = reviewed.Contains(r.Id), VerdictChanged = changedIds.Contains(r.Id) })],
            Review = new OverviewReviewView(reviewer, reviewed.Count(_byId.ContainsKey), _run.Submissions.Count, changed.Count, "overrides.csv"),
        };
        return Templates.Render("index", view);
    }

    /// <summary>A submission's instructor page with the edit forms; <paramref name="error"/> is shown at the top
    /// (a refused save).</summary>
    public string Submission(SubmissionResult graded, string reviewer, string tokenField, string token, string error)
    {
        var (context, applied, reviews) = Current();
        var mine = reviews.Where(r => r.Submission == graded.Id).ToDictionary(r => r.Target, StringComparer.Ordinal);
        var view = HtmlViews.Submission(context, applied.Submissions.First(s => s.Id == graded.Id), _css, studentView: false);
        var total = mine.GetValueOrDefault(ReviewStore.Total);
        view = view with
        {
            Checks = [.. view.Checks.Select(c => c with { Review = CheckReview(graded, c.Id, mine.GetValueOrDefault(c.Id)) })],
            Review = new SubmissionReviewView(
                reviewer,
                "/save",
                tokenField,
                token,
                error,
                graded.Id,
                total?.Points is { } p ? ReportText.Points(p) : "",
                total?.Comment ?? "",
                total?.Reviewed ?? false,
                total?.Version ?? 0,
                LastChange(total),
                total is null ? "" : ReviewOverrides.VerdictChanged(graded, total)),
        };
        return Templates.Render("submission", view);
    }

    public string AskName(string tokenField, string token, string returnTo) =>
        Templates.Render("review-name", new ReviewNameView(_css, _run.Rubric, "/reviewer", tokenField, token, returnTo));

    /// <summary>The reviews saved now, plus <paramref name="edit"/>, applied as overrides: throws
    /// InvalidDataException with the reason when the edit would not apply (points above the maximum).</summary>
    public void CheckApplies(ReviewEdit edit, string reviewer)
    {
        var reviews = _store.All().Where(r => !(r.Submission == edit.Submission && r.Target == edit.Target)).ToList();
        reviews.Add(new ReviewRow(edit.Submission, edit.Target, edit.Points, edit.Comment, edit.Reviewed, edit.AutoPoints, edit.AutoStatus, edit.Version + 1, reviewer, DateTimeOffset.UtcNow));
        ReviewOverrides.Apply(_run, "review", reviews, []);
    }

    private (ReportContext Context, GradingRun Applied, IReadOnlyList<ReviewRow> Reviews) Current()
    {
        var reviews = _store.All();
        var applied = ReviewOverrides.Apply(_run, _store.Path, reviews, []);
        var results = RunResults.InMemory(applied);
        return (new ReportContext(applied with { Submissions = [] }, results.Summaries, "", new ReportOptions(), DateTimeOffset.UtcNow), applied, reviews);
    }

    private static CheckReviewView? CheckReview(SubmissionResult graded, string checkId, ReviewRow? review)
    {
        if (ReviewOverrides.Automatic(graded, checkId) is not { } auto)
        {
            return null;
        }

        return review is null
            ? new CheckReviewView(ReportText.Points(auto.Points), "", 0, "", "")
            : new CheckReviewView(
                ReportText.Points(review.Points ?? auto.Points),
                review.Comment,
                review.Version,
                LastChange(review),
                ReviewOverrides.VerdictChanged(graded, review));
    }

    private static string LastChange(ReviewRow? review) =>
        review is null ? "" : $"saved by {review.ChangedBy} at {ReportText.Date(review.ChangedAt)}";
}
