using Autograder.Model;

namespace Autograder.Report;

/// <summary>The review site: &lt;out&gt;/index.html (class overview), &lt;out&gt;/submissions/&lt;id&gt;.html
/// (instructor view of one submission) and &lt;out&gt;/feedback/&lt;id&gt;.html (the page handed back to the
/// student). Self-contained: inline CSS, JS and SVG, no network, opens from file://. The two pages of a
/// submission are written as it comes; the overview is built from the summaries.</summary>
internal sealed class HtmlExporter(ReportContext context) : IReportExporter
{
    private readonly string _css = Templates.Render("style", new { });

    public void Add(SubmissionResult submission)
    {
        var file = ReportText.FileName(submission.Id) + ".html";
        ReportText.WriteFile(
            Path.Combine(context.OutDir, "submissions", file),
            Templates.Render("submission", HtmlViews.Submission(context, submission, _css, studentView: false)));
        ReportText.WriteFile(
            Path.Combine(context.OutDir, "feedback", file),
            Templates.Render("submission", HtmlViews.Submission(context, submission, _css, studentView: true)));
    }

    public void End() =>
        ReportText.WriteFile(
            Path.Combine(context.OutDir, "index.html"),
            Templates.Render("index", HtmlViews.Overview(context, _css)));

    public void Dispose()
    {
    }
}
