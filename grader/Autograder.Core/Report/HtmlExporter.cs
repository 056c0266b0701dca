namespace Autograder.Report;

/// <summary>The review site: &lt;out&gt;/index.html (class overview), &lt;out&gt;/submissions/&lt;id&gt;.html
/// (instructor view of one submission) and &lt;out&gt;/feedback/&lt;id&gt;.html (the page handed back to the
/// student). Self-contained: inline CSS, JS and SVG, no network, opens from file://.</summary>
internal sealed class HtmlExporter : IReportExporter
{
    public string Format => "html";

    public void Write(ReportContext context)
    {
        var css = Templates.Render("style", new { });
        ReportText.WriteFile(
            Path.Combine(context.OutDir, "index.html"),
            Templates.Render("index", HtmlViews.Overview(context, css)));
        foreach (var s in context.Submissions)
        {
            var file = ReportText.FileName(s.Id) + ".html";
            ReportText.WriteFile(
                Path.Combine(context.OutDir, "submissions", file),
                Templates.Render("submission", HtmlViews.Submission(context, s, css, studentView: false)));
            ReportText.WriteFile(
                Path.Combine(context.OutDir, "feedback", file),
                Templates.Render("submission", HtmlViews.Submission(context, s, css, studentView: true)));
        }
    }
}
